"""Salesforce record ids: a 3-character key prefix per object, then a 15-character case-sensitive id
with the 3-character checksum suffix that makes the 18-character form the REST API returns."""

from __future__ import annotations

import itertools
import threading

_BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_SUFFIX = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"
# The "pod" part of real ids (characters 4-6) identifies the instance; a fixed value looks realistic.
_POD = "5gS"  # "S" for sandbox-made ids: never collides with generated ids (5g0...)


def checksum_suffix(id15: str) -> str:
    """The real algorithm: one character per 5-character chunk, a bit per upper-case letter."""
    out = []
    for chunk in range(3):
        bits = 0
        for i, ch in enumerate(id15[chunk * 5 : chunk * 5 + 5]):
            if "A" <= ch <= "Z":
                bits |= 1 << i
        out.append(_SUFFIX[bits])
    return "".join(out)


def to_18(id15: str) -> str:
    """Accept 15- or 18-character ids (the API accepts both) and return the 18-character form."""
    return id15 if len(id15) == 18 else id15 + checksum_suffix(id15)


def _base62(n: int, width: int) -> str:
    chars = []
    for _ in range(width):
        n, r = divmod(n, 62)
        chars.append(_BASE62[r])
    return "".join(reversed(chars))


class IdFactory:
    """Hands out ids per key prefix; thread-safe because the server handles requests concurrently."""

    def __init__(self) -> None:
        self._counter = itertools.count(1)
        self._lock = threading.Lock()

    def new(self, key_prefix: str) -> str:
        with self._lock:
            n = next(self._counter)
        return to_18(key_prefix + _POD + _base62(n, 9))
