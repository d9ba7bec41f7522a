"""`crm-kpi status`: what the store knows of each instance — runs, cursors, quarantine, failed writes."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from sync.cli_output import Column, FormatOption, OutputFormat, Section, emit
from sync.cli_settings import ConfigOption, InstanceOption, chosen_instances, settings_from

EXAMPLES = """\
Examples:

    crm-kpi status --config settings.toml

    crm-kpi status --instance acme-sf --format json
"""


def _when(value: Any) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S") if value else ""


RUN_COLUMNS = (
    Column("instance"),
    Column("run_id", "run"),
    Column("status"),
    Column("started_at", "started", text=lambda r: _when(r["started_at"])),
    Column("ended_at", "ended", text=lambda r: _when(r["ended_at"])),
    Column("records", numeric=True, text=lambda r: f"{r['records']:,}"),
    Column("quarantined", numeric=True),
    Column("writes", numeric=True),
    Column("write_errors", "rejected", numeric=True),
    Column("api_calls", "API calls", numeric=True),
    Column("message", text=lambda r: r["message"] or ""),
)


def cursor_text(cursor: Any) -> str:
    """A cursor for people: its scalar parts; collections (ids seen at the bound) by their size."""
    if not isinstance(cursor, dict):
        return "" if cursor is None else str(cursor)
    parts = [
        f"{key}={len(value)} ids" if isinstance(value, dict | list) else f"{key}={value}"
        for key, value in cursor.items()
    ]
    return ", ".join(parts)


CURSOR_COLUMNS = (
    Column("instance"),
    Column("stream"),
    Column("cursor", text=lambda r: cursor_text(r["cursor"])),
)
QUARANTINE_COLUMNS = (
    Column("instance"),
    Column("table"),
    Column("crm_id", "record"),
    Column("reason"),
    Column("quarantined_at", "when", text=lambda r: _when(r["quarantined_at"])),
)
FAILURE_COLUMNS = (
    Column("instance"),
    Column("key", "target"),
    Column("error_code", "error"),
    Column("message"),
    Column("attempts", numeric=True),
)


def status_command(
    config: ConfigOption = None,
    instance: InstanceOption = None,
    runs: Annotated[int, typer.Option("--runs", min=1, help="How many of the latest runs per instance.")] = 5,
    limit: Annotated[
        int,
        typer.Option(
            "--limit", min=1, help="At most this many quarantined records and failed writes per instance."
        ),
    ] = 50,
    output_format: FormatOption = OutputFormat.table,
) -> None:
    """Show the last runs, cursors, quarantined records, rejected writes and API calls of each instance."""
    from sync.store.store import Store

    settings = settings_from(config)
    chosen = chosen_instances(settings, instance)
    run_rows: list[dict[str, Any]] = []
    cursor_rows: list[dict[str, Any]] = []
    quarantine_rows: list[dict[str, Any]] = []
    failure_rows: list[dict[str, Any]] = []
    with Store.open(settings.store.url) as store:
        for chosen_instance in chosen:
            name = chosen_instance.name
            for run in store.runs(name, limit=runs):
                run_rows.append(
                    {
                        "instance": name,
                        "run_id": run.run_id,
                        "status": run.status,
                        "started_at": run.started_at,
                        "ended_at": run.ended_at,
                        "records": sum(run.counts.values()),
                        "quarantined": run.quarantined,
                        "writes": run.writes,
                        "write_errors": run.write_errors,
                        "api_calls": run.api_calls,
                        "message": run.message,
                    }
                )
            for stream, cursor in sorted(store.cursors(name).items()):
                cursor_rows.append({"instance": name, "stream": stream, "cursor": cursor})
            for entry in store.quarantined(name, limit=limit):
                quarantine_rows.append(
                    {
                        "instance": name,
                        "table": entry.table,
                        "crm_id": entry.crm_id,
                        "reason": entry.reason,
                        "quarantined_at": entry.quarantined_at,
                    }
                )
            failed = [e for e in store.ledger(name).values() if e.status == "failed"][:limit]
            for failure in failed:
                failure_rows.append(
                    {
                        "instance": name,
                        "key": failure.key,
                        "error_code": failure.error_code,
                        "message": failure.message,
                        "attempts": failure.attempts,
                    }
                )
    emit(
        output_format,
        Section("runs", run_rows, RUN_COLUMNS, title="runs"),
        Section("cursors", cursor_rows, CURSOR_COLUMNS, title="cursors"),
        Section("quarantined", quarantine_rows, QUARANTINE_COLUMNS, title="quarantined records"),
        Section(
            "write_failures", failure_rows, FAILURE_COLUMNS, title="rejected writes (retried on the next run)"
        ),
    )
