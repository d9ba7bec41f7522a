"""One JSON Lines input file as a table's frame: every line validated, nothing dropped without a word.

A line that fails validation is quarantined (not UTF-8 is said as such, with the byte offset); fields the
schema does not know are counted and reported with the closest known name; records repeating an id are
resolved to the latest `modified_at`, and which line was kept is reported.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
import polars as pl
from pydantic import ValidationError

from kpi_engine.dataset import empty_frame, frame_from_records
from kpi_engine.load_findings import Duplicate, LoadWarning, QuarantinedRecord, did_you_mean
from kpi_engine.schema import Record, describe_rejection, rejected_field
from kpi_engine.text_encoding import UTF8_BOM, non_utf8_reason

_CHUNK_RECORDS = 50_000
_LINE = "_line"  # the line a row came from, while duplicates are resolved


@dataclass
class JsonlRead:
    """What one file gave: the frame (one row per id), and everything left out or worth a warning."""

    frame: pl.DataFrame
    records: int = 0
    """Non-blank lines read (valid, quarantined or superseded)."""
    quarantined: list[QuarantinedRecord] = field(default_factory=list)
    duplicates: list[Duplicate] = field(default_factory=list)
    warnings: list[LoadWarning] = field(default_factory=list)


@dataclass
class _Unknown:
    """Fields the model does not know: how many records had each, and the first line."""

    counts: Counter[str] = field(default_factory=Counter)
    first_line: dict[str, int] = field(default_factory=dict)

    def add(self, names: dict[str, Any], line: int) -> None:
        for name in names:
            self.counts[name] += 1
            self.first_line.setdefault(name, line)


def read_jsonl(path: Path, table: str, model: type[Record], context: dict[str, Any]) -> JsonlRead:
    """The table's frame from one JSON Lines file, the latest `modified_at` per (source, id).

    Validated records become columns every `_CHUNK_RECORDS`: holding a pydantic model per record of a
    10M-line file would take tens of GB, its columns a few hundred MB.
    """
    result = JsonlRead(empty_frame(table))
    chunks: list[pl.DataFrame] = []
    batch: list[Record] = []
    batch_lines: list[int] = []
    unknown = _Unknown()
    accepted = model.accepted_input_keys

    def flush() -> None:
        if batch:
            chunks.append(
                frame_from_records(table, batch).with_columns(pl.Series(_LINE, batch_lines, pl.Int64))
            )
            batch.clear()
            batch_lines.clear()

    validate = model.model_validate_json
    offset = 0
    with path.open("rb") as lines:
        for number, line in enumerate(lines, start=1):
            line_offset, offset = offset, offset + len(line)
            if number == 1 and line.startswith(UTF8_BOM):
                line, line_offset = line[len(UTF8_BOM) :], len(UTF8_BOM)
            if not line.strip():
                continue
            result.records += 1
            try:
                record = validate(line, context=context)
            except ValidationError as exc:
                result.quarantined.append(_rejected(path.name, number, line, line_offset, exc))
                continue
            extra = record.__pydantic_extra__
            if extra and not accepted.issuperset(extra):
                unknown.add({k: v for k, v in extra.items() if k not in accepted}, number)
            batch.append(record)
            batch_lines.append(number)
            if len(batch) == _CHUNK_RECORDS:
                flush()
    flush()
    result.warnings.extend(_unknown_field_warnings(path.name, model, unknown))
    if chunks:
        result.frame, result.duplicates = _latest_per_id(pl.concat(chunks), path.name)
    return result


def _rejected(
    file: str, number: int, line: bytes, line_offset: int, exc: ValidationError
) -> QuarantinedRecord:
    raw = line.decode("utf-8", errors="replace").rstrip("\r\n")
    if exc.errors()[0]["type"] == "json_invalid":
        try:
            line.decode("utf-8")
        except UnicodeDecodeError as bad:
            return QuarantinedRecord(file, number, None, non_utf8_reason(bad, line_offset=line_offset), raw)
    return QuarantinedRecord(file, number, _id_of(line), describe_rejection(exc), raw, rejected_field(exc))


def _unknown_field_warnings(file: str, model: type[Record], unknown: _Unknown) -> list[LoadWarning]:
    known = list(model.model_fields)
    return [
        LoadWarning(
            file,
            f"unknown field {name!r} in {count:,} record(s), ignored{did_you_mean(name, known)}",
            unknown.first_line[name],
        )
        for name, count in unknown.counts.items()
    ]


def _latest_per_id(frame: pl.DataFrame, file: str) -> tuple[pl.DataFrame, list[Duplicate]]:
    """One row per (source, id): the greatest `modified_at`, equal ones going to the later line (as a later
    export of the same state would), at the place of the id's first line; and every id that repeated."""
    unique = frame.select(pl.struct("source", "id").n_unique()).item()
    if unique == frame.height:
        return frame.drop(_LINE), []
    latest = (
        frame.with_columns(pl.col(_LINE).min().over("source", "id").alias("_first_line"))
        .sort("modified_at", _LINE, nulls_last=False)
        .unique(subset=["source", "id"], keep="last")
        .sort("_first_line")
        .drop("_first_line")
    )
    dropped = (
        frame.join(latest.select(_LINE), on=_LINE, how="anti")
        .group_by("source", "id")
        .agg(pl.col(_LINE).sort().alias("dropped"))
        .join(latest.select("source", "id", pl.col(_LINE).alias("kept")), on=["source", "id"])
        .sort("kept")
    )
    duplicates = [
        Duplicate(file, record_id, kept, tuple(lines))
        for record_id, kept, lines in dropped.select("id", "kept", "dropped").iter_rows()
    ]
    return latest.drop(_LINE), duplicates


def _id_of(line: bytes) -> str | None:
    """The `id` of a rejected line, if it is a JSON object that has one."""
    try:
        parsed = orjson.loads(line)
    except orjson.JSONDecodeError:
        return None
    found = parsed.get("id") if isinstance(parsed, dict) else None
    return None if found is None else str(found)
