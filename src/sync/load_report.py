"""What a command tells people about the input it loaded: every warning, the quarantine summary, every
quarantined record in `--quarantine-file`, and whether the run may go on (the quarantine threshold)."""

from __future__ import annotations

from pathlib import Path

from kpi_engine.loading import LoadError, LoadResult, QuarantinedRecord, load_dataset
from sync.cli_errors import CliError, ExitCode, os_error
from sync.cli_output import json_bytes, note, warn

QUARANTINE_EXAMPLES = 5


def load_input(directory: Path, option: str = "--input") -> LoadResult:
    """The dataset of an input directory; a directory the loader cannot use stops the command (exit 2)."""
    try:
        return load_dataset(directory)
    except LoadError as error:
        raise CliError(f"{option} {error}") from None


def report_load(result: LoadResult, threshold: float, quarantine_file: Path | None) -> ExitCode:
    """Print the load's warnings and quarantine summary on stderr; write every quarantined record to
    `quarantine_file`. Raises `CliError` (exit 1) when a table's quarantined share is above `threshold`;
    returns `ExitCode.PARTIAL` when records were quarantined, else `ExitCode.OK`."""
    for warning in result.warnings:
        warn(warning.text())
    if quarantine_file is not None:
        write_quarantine(result.quarantined, quarantine_file)
    if result.quarantined:
        _summarise(result.quarantined, quarantine_file)
    over = [
        (file, count, total)
        for file, (count, total) in result.quarantine_shares().items()
        if count > threshold * total
    ]
    if over:
        where = (
            f"every reason is in {quarantine_file}"
            if quarantine_file
            else "--quarantine-file PATH keeps every reason"
        )
        tables = "; ".join(
            f"{file}: {count:,} of {total:,} records ({count / total:.1%})" for file, count, total in over
        )
        raise CliError(
            f"too many records quarantined ({tables}; the limit is {threshold:.0%} of a table); "
            "nothing computed. "
            f"Fix the records ({where}) or raise --max-quarantined",
            ExitCode.FAILED,
        )
    return ExitCode.PARTIAL if result.quarantined else ExitCode.OK


def quarantine_line(record: QuarantinedRecord) -> dict[str, object]:
    """One line of a quarantine file (a contract: file, line, record_id, field, reason, raw)."""
    return {
        "file": record.file,
        "line": record.line,
        "record_id": record.record_id,
        "field": record.field,
        "reason": record.reason,
        "raw": record.raw,
    }


def write_quarantine(records: list[QuarantinedRecord], path: Path) -> None:
    """Every quarantined record as JSON Lines; a full disk or a missing directory stops the run (exit 1)."""
    try:
        with path.open("wb") as out:
            for record in records:
                out.write(json_bytes(quarantine_line(record)) + b"\n")
    except OSError as error:
        raise os_error(error, f"--quarantine-file {path}") from None


def _summarise(records: list[QuarantinedRecord], quarantine_file: Path | None) -> None:
    by_file: dict[str, int] = {}
    for record in records:
        by_file[record.file] = by_file.get(record.file, 0) + 1
    counts = ", ".join(f"{count:,} in {file}" for file, count in by_file.items())
    note(f"{len(records):,} record(s) quarantined and left out ({counts}):")
    shown = [] if quarantine_file else records[:QUARANTINE_EXAMPLES]
    for record in shown:
        note(f"  {record.file}:{record.line}: {record.reason}")
    if quarantine_file is not None:
        note(f"  every record and reason is in {quarantine_file}")
    elif len(records) > QUARANTINE_EXAMPLES:
        note(f"  ... and {len(records) - QUARANTINE_EXAMPLES:,} more; --quarantine-file PATH keeps them all")
