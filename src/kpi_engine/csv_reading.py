"""The optional CSV inputs (quotas.csv, spend.csv) as validated rows; quota owners resolved to user ids.

A spreadsheet's UTF-8 byte-order mark is accepted; a row holding bytes that are not UTF-8 is quarantined
saying so (line and byte offset), the other rows still load; columns the table does not know are reported.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl
from pydantic import BaseModel, ValidationError

from kpi_engine.load_findings import LoadWarning, QuarantinedRecord, did_you_mean
from kpi_engine.schema import Quota, describe_rejection, rejected_field
from kpi_engine.text_encoding import strip_bom


@dataclass(frozen=True)
class CsvRow:
    line: int
    raw: str
    model: Any


@dataclass
class CsvRead:
    rows: list[CsvRow] = field(default_factory=list)
    records: int = 0
    quarantined: list[QuarantinedRecord] = field(default_factory=list)
    warnings: list[LoadWarning] = field(default_factory=list)


def read_csv(path: Path, model: type[BaseModel]) -> CsvRead:
    """Validated rows of a CSV file; empty cells are missing values."""
    result = CsvRead()
    data = path.read_bytes()
    bom = len(data) - len(strip_bom(data))
    bad_lines = _non_utf8_lines(data, bom)
    text = strip_bom(data).decode("utf-8", errors="replace")
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [name.strip() for name in reader.fieldnames or []]
    required = [name for name, spec in model.model_fields.items() if spec.is_required()]
    missing = [name for name in required if name not in header]
    if missing:
        reason = (
            f"missing column(s) {', '.join(missing)}; the header must name {','.join(model.model_fields)}"
        )
        result.quarantined.append(QuarantinedRecord(path.name, 1, None, reason, ",".join(header), missing[0]))
        return result
    for name in header:
        if name not in model.model_fields:
            result.warnings.append(
                LoadWarning(
                    path.name, f"unknown column {name!r}, ignored{did_you_mean(name, model.model_fields)}", 1
                )
            )
    reader.fieldnames = header
    previous_end = 1
    for row in reader:
        result.records += 1
        first, previous_end = previous_end + 1, reader.line_num
        raw = _csv_line([row.get(name) or "" for name in header])
        bad = next((bad_lines[n] for n in range(first, reader.line_num + 1) if n in bad_lines), None)
        if bad is not None:
            result.quarantined.append(QuarantinedRecord(path.name, reader.line_num, None, bad, raw))
            continue
        cells = {k: v for k, v in row.items() if k is not None and v not in (None, "")}
        try:
            result.rows.append(CsvRow(reader.line_num, raw, model.model_validate(cells)))
        except ValidationError as exc:
            result.quarantined.append(
                QuarantinedRecord(
                    path.name, reader.line_num, None, describe_rejection(exc), raw, rejected_field(exc)
                )
            )
    return result


def _non_utf8_lines(data: bytes, bom: int) -> dict[int, str]:
    """Line number -> why it is not UTF-8 (first bad byte, its offset in the line and in the file)."""
    found: dict[int, str] = {}
    offset = 0
    for number, line in enumerate(data.splitlines(keepends=True), start=1):
        start = bom if number == 1 else 0
        try:
            line[start:].decode("utf-8")
        except UnicodeDecodeError as error:
            at = start + error.start
            found[number] = (
                f"not UTF-8: byte 0x{line[at]:02X} at byte offset {at} of the line, "
                f"{offset + at} of the file; "
                "save the file as UTF-8"
            )
        offset += len(line)
    return found


def _csv_line(cells: list[str]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer).writerow(cells)
    return buffer.getvalue().rstrip("\r\n")


def resolve_owners(
    quotas: list[CsvRow], users: pl.DataFrame, quarantined: list[QuarantinedRecord]
) -> list[CsvRow]:
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
            resolved.append(
                CsvRow(row.line, row.raw, quota.model_copy(update={"owner": next(iter(matches))}))
            )
            continue
        reason = (
            f"owner: {quota.owner!r} matches several users ({', '.join(sorted(matches))})"
            if matches
            else f"owner: {quota.owner!r} is neither a user id nor a user email in users.jsonl"
        )
        quarantined.append(QuarantinedRecord("quotas.csv", row.line, None, reason, row.raw, "owner"))
    return resolved
