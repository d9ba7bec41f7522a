"""Load the input directory of `crm-kpi compute --input DIR` into a `Dataset`.

Bad input never stops a load: a line that is not JSON, a record that fails validation, or a CSV row with a
bad value is quarantined with its file, line and reason, and the load goes on. Only a directory with
none of the expected files is an error, because then there is nothing to compute.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
import polars as pl
from pydantic import BaseModel, ValidationError

from kpi_engine.dataset import Dataset, empty_frame, frame_from_records
from kpi_engine.schema import RECORD_FILES, TABLE_FILES, Quota, Record, describe_rejection

# Leads are read last: a lead that uses `source` for its lead-source text takes its CRM from the
# source every other file uses (see `Lead._lead_source`).
_LOAD_ORDER = [table for table in RECORD_FILES if table != "leads"] + ["leads"]
_CHUNK_RECORDS = 50_000
_LINE = "_line"  # the line a row came from, while duplicates are resolved


class LoadError(ValueError):
    """The input directory cannot be loaded at all (missing, or none of the expected files)."""


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
class LoadResult:
    dataset: Dataset
    quarantined: list[QuarantinedRecord] = field(default_factory=list)
    duplicates: dict[str, int] = field(default_factory=dict)
    """Per file, how many records were superseded by a later record with the same (source, id)."""
    loaded: dict[str, int] = field(default_factory=dict)
    """Per table, how many records the dataset holds (deleted ones included)."""
    warnings: list[LoadWarning] = field(default_factory=list)
    read: dict[str, int] = field(default_factory=dict)
    """Per file, how many records it held (valid, quarantined and superseded duplicates)."""

    def quarantine_shares(self) -> dict[str, tuple[int, int]]:
        """Per file with quarantined records: (quarantined, records read)."""
        counts: dict[str, int] = {}
        for record in self.quarantined:
            counts[record.file] = counts.get(record.file, 0) + 1
        return {file: (count, max(self.read.get(file, count), count)) for file, count in counts.items()}


def expected_files() -> list[str]:
    return [name for name, _ in RECORD_FILES.values()] + [name for name, _ in TABLE_FILES.values()]


def load_dataset(directory: Path, *, org_id: str | None = None) -> LoadResult:
    """Read every known file of `directory`; a missing file is an empty table.

    `org_id` defaults to the one CRM the records come from (e.g. "salesforce"), or "org" for a mix.
    """
    directory = Path(directory)
    if not directory.is_dir():
        raise LoadError(f"{directory}: no such directory")
    present = [name for name in expected_files() if (directory / name).is_file()]
    if not present:
        raise LoadError(f"{directory}: none of the input files found; expected any of {', '.join(expected_files())}")

    quarantined: list[QuarantinedRecord] = []
    duplicates: dict[str, int] = {}
    frames: dict[str, pl.DataFrame] = {}
    read: dict[str, int] = {}
    sources: set[str] = set()
    for table in _LOAD_ORDER:
        file_name, model = RECORD_FILES[table]
        default = next(iter(sources)) if len(sources) == 1 else None
        frame, replaced = _read_jsonl(directory / file_name, table, model, {"default_source": default}, quarantined)
        frames[table] = frame
        read[file_name] = frame.height + replaced
        sources.update(frame["source"].unique().to_list())
        if replaced:
            duplicates[file_name] = replaced
    csv_rows = {table: list(_read_csv(directory / name, model, quarantined)) for table, (name, model) in TABLE_FILES.items()}
    csv_rows["quotas"] = _resolve_owners(csv_rows["quotas"], frames["users"], quarantined)
    for table, rows in csv_rows.items():
        frames[table] = frame_from_records(table, [row.model for row in rows])
        read[TABLE_FILES[table][0]] = len(rows)
    for record in quarantined:
        read[record.file] = read.get(record.file, 0) + 1

    if org_id is None:
        org_id = next(iter(sources)) if len(sources) == 1 else "org"
    dataset = Dataset.from_frames(org_id, **frames)
    loaded = {table: frame.height for table, frame in frames.items()}
    return LoadResult(dataset, quarantined, duplicates, loaded, read=read)


def _read_jsonl(
    path: Path, table: str, model: type[Record], context: dict[str, Any], quarantined: list[QuarantinedRecord]
) -> tuple[pl.DataFrame, int]:
    """The table's frame from one JSON Lines file, the latest `modified_at` per (source, id).

    Validated records become columns every `_CHUNK_RECORDS`: holding a pydantic model per record of a
    10M-line file would take tens of GB, its columns a few hundred MB.
    """
    chunks: list[pl.DataFrame] = []
    batch: list[Record] = []
    batch_lines: list[int] = []

    def flush() -> None:
        if batch:
            chunks.append(frame_from_records(table, batch).with_columns(pl.Series(_LINE, batch_lines, pl.Int64)))
            batch.clear()
            batch_lines.clear()

    if path.is_file():
        validate = model.model_validate_json
        with path.open("rb") as lines:
            for number, line in enumerate(lines, start=1):
                if not line.strip():
                    continue
                try:
                    batch.append(validate(line, context=context))
                    batch_lines.append(number)
                except ValidationError as exc:
                    raw = line.decode("utf-8", errors="replace").rstrip("\r\n")
                    quarantined.append(QuarantinedRecord(path.name, number, _id_of(line), describe_rejection(exc), raw))
                if len(batch) == _CHUNK_RECORDS:
                    flush()
    flush()
    if not chunks:
        return empty_frame(table), 0
    return _latest_per_id(pl.concat(chunks))


def _latest_per_id(frame: pl.DataFrame) -> tuple[pl.DataFrame, int]:
    """One row per (source, id): the greatest `modified_at`, equal ones going to the later line (as a later
    export of the same state would), at the place of the id's first line. Returns it and how many lines
    were superseded."""
    unique = frame.select(pl.struct("source", "id").n_unique()).item()
    if unique == frame.height:
        return frame.drop(_LINE), 0
    latest = (
        frame.with_columns(pl.col(_LINE).min().over("source", "id").alias("_first_line"))
        .sort("modified_at", _LINE, nulls_last=False)
        .unique(subset=["source", "id"], keep="last")
        .sort("_first_line")
        .drop(_LINE, "_first_line")
    )
    return latest, frame.height - latest.height


def _id_of(line: bytes) -> str | None:
    """The `id` of a rejected line, if it is a JSON object that has one."""
    try:
        parsed = orjson.loads(line)
    except orjson.JSONDecodeError:
        return None
    found = parsed.get("id") if isinstance(parsed, dict) else None
    return None if found is None else str(found)


@dataclass(frozen=True)
class _CsvRow:
    line: int
    raw: str
    model: Any


def _read_csv(path: Path, model: type[BaseModel], quarantined: list[QuarantinedRecord]) -> Iterator[_CsvRow]:
    """Validated rows of an optional CSV file; empty cells are missing values."""
    if not path.is_file():
        return
    required = [name for name, spec in model.model_fields.items() if spec.is_required()]
    with path.open(newline="", encoding="utf-8-sig") as text:
        reader = csv.DictReader(text)
        header = [name.strip() for name in reader.fieldnames or []]
        missing = [name for name in required if name not in header]
        if missing:
            reason = f"missing column(s) {', '.join(missing)}; the header must name {','.join(model.model_fields)}"
            quarantined.append(QuarantinedRecord(path.name, 1, None, reason, ",".join(header)))
            return
        reader.fieldnames = header
        for row in reader:
            cells = {k: v for k, v in row.items() if k is not None and v not in (None, "")}
            raw = _csv_line([row.get(name) or "" for name in header])
            try:
                yield _CsvRow(reader.line_num, raw, model.model_validate(cells))
            except ValidationError as exc:
                quarantined.append(QuarantinedRecord(path.name, reader.line_num, None, describe_rejection(exc), raw))


def _csv_line(cells: list[str]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer).writerow(cells)
    return buffer.getvalue().rstrip("\r\n")


def _resolve_owners(
    quotas: list[_CsvRow], users: pl.DataFrame, quarantined: list[QuarantinedRecord]
) -> list[_CsvRow]:
    """Quota owners as user ids: an id passes, an email (any case) of one current user becomes its id."""
    ids = set(users["id"].to_list())
    by_email: dict[str, set[str]] = {}
    for user_id, email, deleted in users.select("id", "email", "deleted").iter_rows():
        if email and not deleted:
            by_email.setdefault(email.lower(), set()).add(user_id)
    resolved = []
    for row in quotas:
        quota: Quota = row.model
        if quota.owner in ids:
            resolved.append(row)
            continue
        matches = by_email.get(quota.owner.lower(), set())
        if len(matches) == 1:
            resolved.append(_CsvRow(row.line, row.raw, quota.model_copy(update={"owner": next(iter(matches))})))
            continue
        reason = (
            f"owner: {quota.owner!r} matches several users ({', '.join(sorted(matches))})"
            if matches
            else f"owner: {quota.owner!r} is neither a user id nor a user email in users.jsonl"
        )
        quarantined.append(QuarantinedRecord("quotas.csv", row.line, None, reason, row.raw))
    return resolved
