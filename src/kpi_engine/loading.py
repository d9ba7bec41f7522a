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
from pydantic import BaseModel, ValidationError

from kpi_engine.dataset import Dataset, frame_from_records
from kpi_engine.schema import RECORD_FILES, TABLE_FILES, Quota, Record, User, describe_rejection

# Leads are read last: a lead that uses `source` for its lead-source text takes its CRM from the
# source every other file uses (see `Lead._lead_source`).
_LOAD_ORDER = [table for table in RECORD_FILES if table != "leads"] + ["leads"]


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


@dataclass(frozen=True)
class LoadResult:
    dataset: Dataset
    quarantined: list[QuarantinedRecord] = field(default_factory=list)
    duplicates: dict[str, int] = field(default_factory=dict)
    """Per file, how many records were superseded by a later record with the same (source, id)."""
    loaded: dict[str, int] = field(default_factory=dict)
    """Per table, how many records the dataset holds (deleted ones included)."""


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
    records: dict[str, list[Any]] = {}
    sources: set[str] = set()
    for table in _LOAD_ORDER:
        file_name, model = RECORD_FILES[table]
        default = next(iter(sources)) if len(sources) == 1 else None
        rows, replaced = _read_jsonl(directory / file_name, model, {"default_source": default}, quarantined)
        records[table] = rows
        sources.update(row.source for row in rows)
        if replaced:
            duplicates[file_name] = replaced
    for table, (file_name, model) in TABLE_FILES.items():
        records[table] = list(_read_csv(directory / file_name, model, quarantined))
    records["quotas"] = _resolve_owners(records["quotas"], records["users"], quarantined)
    records = {table: [row.model for row in rows] if table in TABLE_FILES else rows for table, rows in records.items()}

    if org_id is None:
        org_id = next(iter(sources)) if len(sources) == 1 else "org"
    frames = {table: frame_from_records(table, rows) for table, rows in records.items()}
    dataset = Dataset.from_frames(org_id, **frames)
    return LoadResult(dataset, quarantined, duplicates, {table: len(rows) for table, rows in records.items()})


def _read_jsonl(
    path: Path, model: type[Record], context: dict[str, Any], quarantined: list[QuarantinedRecord]
) -> tuple[list[Record], int]:
    """Validated records of one JSON Lines file, the latest `modified_at` per (source, id)."""
    if not path.is_file():
        return [], 0
    kept: dict[tuple[str, str], Record] = {}
    replaced = 0
    validate = model.model_validate_json
    with path.open("rb") as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                record = validate(line, context=context)
            except ValidationError as exc:
                raw = line.decode("utf-8", errors="replace").rstrip("\r\n")
                quarantined.append(QuarantinedRecord(path.name, number, _id_of(line), describe_rejection(exc), raw))
                continue
            key = (record.source, record.id)
            earlier = kept.get(key)
            if earlier is not None:
                replaced += 1
                # Equal timestamps: the later line wins, as a later export of the same state would.
                if record.modified_at < earlier.modified_at:
                    continue
            kept[key] = record
    return list(kept.values()), replaced


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


def _resolve_owners(quotas: list[_CsvRow], users: list[User], quarantined: list[QuarantinedRecord]) -> list[_CsvRow]:
    """Quota owners as user ids: an id passes, an email (any case) of one current user becomes its id."""
    ids = {user.id for user in users}
    by_email: dict[str, set[str]] = {}
    for user in users:
        if user.email and not user.deleted:
            by_email.setdefault(user.email.lower(), set()).add(user.id)
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
