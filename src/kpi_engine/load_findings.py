"""What a load found besides the records: quarantined records, warnings, superseded duplicates.

Nothing the loader leaves out goes unreported: a record that fails validation is a `QuarantinedRecord`;
a field, a file or a value the load went on past is a `LoadWarning` saying what, where and what was done.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass

from kpi_engine.lenient_types import compact_name


@dataclass(frozen=True)
class QuarantinedRecord:
    """A record left out of the dataset, with where it was and why."""

    file: str
    line: int
    """1-based line in the file (CSV: the line the row ends on; the header is line 1)."""
    record_id: str | None
    reason: str
    raw: str
    field: str | None = None
    """The first field the reason names (None when the line is not a record at all, e.g. not JSON)."""


@dataclass(frozen=True)
class LoadWarning:
    """Something the load went on past that people must hear about: what, where, and what was done."""

    file: str
    message: str
    line: int | None = None

    def text(self) -> str:
        return f"{self.file}{'' if self.line is None else f':{self.line}'}: {self.message}"


@dataclass(frozen=True)
class Duplicate:
    """Records of one file sharing a (source, id): the one kept and the lines superseded."""

    file: str
    record_id: str
    kept_line: int
    dropped_lines: tuple[int, ...]


def closest_name(name: str, known: Iterable[str]) -> str | None:
    """The known name `name` most likely means: same letters ignoring case and separators
    (`CloseDate` → `close_date`), else the nearest spelling; None when nothing is close."""
    names = list(known)
    by_compact = {compact_name(k): k for k in names}
    if compact_name(name) in by_compact:
        return by_compact[compact_name(name)]
    lowered = {k.lower(): k for k in names}
    found = difflib.get_close_matches(name.lower(), list(lowered), n=1, cutoff=0.6)
    return lowered[found[0]] if found else None


def did_you_mean(name: str, known: Iterable[str]) -> str:
    """'; did you mean X?' when a known name is close, else ''."""
    closest = closest_name(name, known)
    return f"; did you mean {closest!r}?" if closest else ""
