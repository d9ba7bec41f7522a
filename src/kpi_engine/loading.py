"""Load the input directory of `crm-kpi compute --input DIR` into a `Dataset`.

Bad input never stops a load and never passes silently: a line that is not JSON (or not UTF-8), a record
that fails validation, or a CSV row with a bad value is quarantined with its file, line and reason, and
the load goes on; unknown fields, files the loader does not read, empty files, repeated ids and values
that would mislead are warnings saying what was done. Only a directory the loader cannot use (missing,
none of the expected files, a directory or an unreadable file in an input file's place) is an error.
The caller decides what share of quarantined records is too many (`LoadResult.quarantine_shares`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from kpi_engine.csv_reading import read_csv, resolve_owners
from kpi_engine.dataset import Dataset, empty_frame, frame_from_records
from kpi_engine.input_files import LoadError, expected_files, scan_directory
from kpi_engine.jsonl_reading import read_jsonl
from kpi_engine.load_findings import Duplicate, LoadWarning, QuarantinedRecord
from kpi_engine.schema import RECORD_FILES, TABLE_FILES
from kpi_engine.value_checks import value_warnings

__all__ = ["LoadError", "LoadResult", "LoadWarning", "QuarantinedRecord", "expected_files", "load_dataset"]

# Leads are read last: a lead that uses `source` for its lead-source text takes its CRM from the
# source every other file uses (see `Lead._lead_source`).
_LOAD_ORDER = [table for table in RECORD_FILES if table != "leads"] + ["leads"]
_DUPLICATE_EXAMPLES = 3


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
    duplicate_records: list[Duplicate] = field(default_factory=list)
    """Every repeated id: the line kept and the lines superseded."""

    def quarantine_shares(self) -> dict[str, tuple[int, int]]:
        """Per file with quarantined records: (quarantined, records read)."""
        counts: dict[str, int] = {}
        for record in self.quarantined:
            counts[record.file] = counts.get(record.file, 0) + 1
        return {file: (count, max(self.read.get(file, count), count)) for file, count in counts.items()}


def load_dataset(directory: Path, *, org_id: str | None = None) -> LoadResult:
    """Read every input file of `directory`; a missing file is an empty table.

    `org_id` defaults to the one CRM the records come from (e.g. "salesforce"), or "org" for a mix.
    """
    directory = Path(directory)
    files = scan_directory(directory)
    warnings = list(files.warnings)
    quarantined: list[QuarantinedRecord] = []
    duplicates: list[Duplicate] = []
    frames: dict[str, pl.DataFrame] = {}
    read: dict[str, int] = {}
    sources: set[str] = set()
    for table in _LOAD_ORDER:
        file_name, model = RECORD_FILES[table]
        if file_name not in files.present:
            frames[table] = empty_frame(table)
            continue
        default = next(iter(sources)) if len(sources) == 1 else None
        result = read_jsonl(directory / file_name, table, model, {"default_source": default})
        frames[table], read[file_name] = result.frame, result.records
        quarantined += result.quarantined
        duplicates += result.duplicates
        warnings += result.warnings
        sources.update(result.frame["source"].unique().to_list())
    csv_rows = {}
    for table, (file_name, table_model) in TABLE_FILES.items():
        csv_read = read_csv(directory / file_name, table_model) if file_name in files.present else None
        csv_rows[table] = csv_read.rows if csv_read else []
        if csv_read:
            read[file_name] = csv_read.records
            quarantined += csv_read.quarantined
            warnings += csv_read.warnings
    csv_rows["quotas"] = resolve_owners(csv_rows["quotas"], frames["users"], quarantined)
    for table, rows in csv_rows.items():
        frames[table] = frame_from_records(table, [row.model for row in rows])
    warnings += _blank_file_warnings(files.present, read, warnings)
    warnings += _duplicate_warnings(duplicates)
    warnings += value_warnings(frames)

    if org_id is None:
        org_id = next(iter(sources)) if len(sources) == 1 else "org"
    return LoadResult(
        Dataset.from_frames(org_id, **frames),
        quarantined,
        duplicates=_count_by_file(duplicates),
        loaded={table: frame.height for table, frame in frames.items()},
        warnings=warnings,
        read=read,
        duplicate_records=duplicates,
    )


def _blank_file_warnings(
    present: list[str], read: dict[str, int], earlier: list[LoadWarning]
) -> list[LoadWarning]:
    """A file holding only blank lines is as empty as a 0-byte one (which the directory scan reported)."""
    reported = {w.file for w in earlier if w.message.startswith("empty file")}
    return [
        LoadWarning(name, "no records (only blank lines); its table is empty")
        for name in present
        if read.get(name) == 0 and name not in reported
    ]


def _count_by_file(duplicates: list[Duplicate]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for duplicate in duplicates:
        counts[duplicate.file] = counts.get(duplicate.file, 0) + len(duplicate.dropped_lines)
    return counts


def _duplicate_warnings(duplicates: list[Duplicate]) -> list[LoadWarning]:
    by_file: dict[str, list[Duplicate]] = {}
    for duplicate in duplicates:
        by_file.setdefault(duplicate.file, []).append(duplicate)
    warnings = []
    for file, repeated in by_file.items():
        superseded = sum(len(d.dropped_lines) for d in repeated)
        examples = "; ".join(
            f"id {d.record_id}: kept line {d.kept_line}, "
            f"dropped line(s) {', '.join(map(str, d.dropped_lines))}"
            for d in repeated[:_DUPLICATE_EXAMPLES]
        )
        more = (
            f"; and {len(repeated) - _DUPLICATE_EXAMPLES:,} more id(s)"
            if len(repeated) > _DUPLICATE_EXAMPLES
            else ""
        )
        warnings.append(
            LoadWarning(
                file,
                f"{len(repeated):,} id(s) appear more than once ({superseded:,} record(s) superseded); "
                "kept the record "
                f"with the latest modified_at, a tie going to the later line ({examples}{more})",
            )
        )
    return warnings
