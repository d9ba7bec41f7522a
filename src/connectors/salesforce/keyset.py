"""Incremental reads on (SystemModstamp, Id): the SOQL bound, the cursor a batch carries, de-duplication.

Rows are read `ORDER BY SystemModstamp, Id`, a total order, so the key of a page's last row is a mark:
every row at or before it has been delivered. Hundreds of rows may share one SystemModstamp (a bulk load,
a mass update); a plain `SystemModstamp > t` would skip those of them after a page boundary and `>= t`
would repeat them. Without look-back the next read asks for exactly the rows after the mark:

    SystemModstamp > t OR (SystemModstamp = t AND Id > 'id')

With a look-back of L seconds (rows committed late carry a stamp from before their commit), the read starts
at `SystemModstamp >= t - L` instead, and the cursor remembers which (Id, SystemModstamp) versions of the
last L seconds it already delivered, so a row comes again only if it changed or arrived late.

The cursor is plain JSON: `{"modstamp": "2025-06-29T23:59:59.999Z", "id": "006...", "seen": {id: stamp}}`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from connectors.base import Cursor

MAX_SEEN = 25_000
"""Versions remembered for de-duplication; past it the oldest are forgotten (and may be read once more,
which the store's upsert absorbs). A mass update — our own field write-back of every open deal is one —
stamps thousands of rows within the look-back; 25,000 versions keep the cursor under about 1 MB."""


def parse_stamp(value: str) -> datetime:
    """A Salesforce datetime (`2025-06-29T23:59:59.000+0000` or `...Z`) as an aware UTC datetime."""
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        raise ValueError(f"datetime {value!r} has no time zone")
    return parsed if parsed.utcoffset() == timedelta(0) else parsed.astimezone(UTC)


def soql_datetime(moment: datetime) -> str:
    """A SOQL dateTime literal at millisecond precision, unquoted (`2025-06-29T23:59:59.999Z`)."""
    utc = moment.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def canonical(value: str) -> str:
    """The stamp as `soql_datetime` writes it, so stamps compare as text; REST's own UTC form
    (`...T23:59:59.000+0000`) is rewritten without parsing."""
    if len(value) == 28 and value.endswith("+0000") and value[19] == ".":
        return value[:23] + "Z"
    return soql_datetime(parse_stamp(value))


@dataclass
class KeysetCursor:
    """The mark and the recently delivered versions of one stream."""

    modstamp: str | None = None
    id: str | None = None
    seen: dict[str, str] = field(default_factory=dict)

    @classmethod
    def load(cls, cursor: Cursor | None) -> KeysetCursor:
        if not cursor or not cursor.get("modstamp"):
            return cls()
        return cls(canonical(cursor["modstamp"]), cursor.get("id") or "", dict(cursor.get("seen") or {}))

    def dump(self) -> Cursor:
        return {"modstamp": self.modstamp, "id": self.id, "seen": dict(self.seen)}

    def where(self, stamp_field: str, lookback: timedelta) -> str | None:
        """The SOQL condition that reads everything not yet delivered (None: read from the start)."""
        if self.modstamp is None:
            return None
        mark = parse_stamp(self.modstamp)
        if lookback > timedelta(0):
            return f"{stamp_field} >= {soql_datetime(mark - lookback)}"
        literal = soql_datetime(mark)
        return f"({stamp_field} > {literal} OR ({stamp_field} = {literal} AND Id > '{self.id}'))"

    def is_new(self, row_id: str, stamp: str) -> bool:
        """Not delivered before: after the mark, or within the look-back and not this version."""
        if self.modstamp is None:
            return True
        version = canonical(stamp)
        if (version, row_id) > (self.modstamp, self.id or ""):
            return True
        return self.seen.get(row_id) != version

    def advance(self, rows: list[tuple[str, str]], lookback: timedelta) -> None:
        """Take one page's (Id, SystemModstamp) rows, in read order (ascending keys), into the mark and
        the versions seen within the look-back. Only the rows inside the window are converted."""
        if rows:
            last_id, last_stamp = rows[-1]
            key = (canonical(last_stamp), last_id)
            if self.modstamp is None or key > (self.modstamp, self.id or ""):
                self.modstamp, self.id = key
        if lookback <= timedelta(0) or self.modstamp is None:
            self.seen.clear()
            return
        horizon = soql_datetime(parse_stamp(self.modstamp) - lookback)
        for row_id, stamp in reversed(rows):
            version = canonical(stamp)
            if version < horizon:
                break
            self.seen[row_id] = version
        kept = sorted(((s, i) for i, s in self.seen.items() if s >= horizon), reverse=True)[:MAX_SEEN]
        self.seen = {i: s for s, i in kept}


def row_key(row: dict[str, Any], stamp_field: str) -> tuple[str, str]:
    return str(row["Id"]), str(row[stamp_field])
