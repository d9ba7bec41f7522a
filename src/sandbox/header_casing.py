"""Response header names as the real servers spell them on the wire.

Starlette lowercases every header name it is given (ASGI's convention) and uvicorn's h11 backend writes
names exactly as the ASGI message holds them, so without this step every response would say
`content-type`, `sforce-locator`. Clients that copy headers into a plain dict look them up
case-sensitively (`headers["Sforce-Locator"]`), so the sandbox puts the vendor's spelling back as the
response leaves the middleware: a name the dialect lists keeps that spelling (`Sforce-NumberOfRecords`,
`X-HubSpot-RateLimit-Daily`), any other is written in the HTTP/1.1 convention both vendors follow for the
rest, each hyphen-separated word capitalised (`Content-Type`, `Retry-After`, `Date`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence


def title_case(name: str) -> str:
    """`content-type` -> `Content-Type`: the spelling of every header a vendor does not spell otherwise."""
    return "-".join(word[:1].upper() + word[1:].lower() for word in name.split("-"))


class HeaderCasing:
    """Maps header names (any case) to the one spelling the CRM sends."""

    def __init__(self, spellings: Iterable[str] = ()) -> None:
        self._spellings = {name.lower(): name.encode("latin-1") for name in spellings}
        self._spelled: dict[bytes, bytes] = {}  # every name seen, as given -> as sent (a few dozen at most)

    def spell(self, name: bytes) -> bytes:
        spelled = self._spelled.get(name)
        if spelled is None:
            lower = name.lower().decode("latin-1")
            spelled = self._spellings.get(lower) or title_case(lower).encode("latin-1")
            self._spelled[name] = spelled
        return spelled

    def apply(self, headers: Sequence[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
        spelled = self._spelled
        return [(spelled.get(name) or self.spell(name), value) for name, value in headers]
