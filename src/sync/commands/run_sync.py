"""`crm-kpi sync`: one run per instance — extract, compute, plan, write back."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any

import typer

from sync.cli_errors import CliError, ExitCode
from sync.cli_input import parse_date
from sync.cli_output import Column, FormatOption, OutputFormat, Section, emit, stdout_console
from sync.cli_settings import ConfigOption, InstanceOption, chosen_instances, settings_from

EXAMPLES = """\
Examples:

    crm-kpi sync --config settings.toml --dry-run

    crm-kpi sync --instance acme-sf

    crm-kpi sync --full --log-format json

    crm-kpi sync --enqueue --instance acme-sf
"""


class LogFormat(StrEnum):
    text = "text"
    json = "json"


RUN_COLUMNS = (
    Column("instance"),
    Column("status"),
    Column("read", "records read", numeric=True, text=lambda row: f"{row['read']:,}"),
    Column("quarantined", numeric=True, text=lambda row: f"{row['quarantined']:,}"),
    Column("written", numeric=True, text=lambda row: f"{row['written']:,}"),
    Column("rejected", numeric=True, text=lambda row: f"{row['rejected']:,}"),
    Column("api_calls", "API calls", numeric=True, text=lambda row: f"{row['api_calls']:,}"),
    Column("message", text=lambda row: row["message"] or ""),
)


def report_row(report: Any) -> dict[str, Any]:
    plan = report.plan
    return {
        "instance": report.instance,
        "run_id": report.run_id,
        "status": report.status,
        "read": report.read,
        "extracted": report.extracted,
        "quarantined": sum(report.quarantined.values()),
        "planned_creates": len(plan.creates) if plan else None,
        "planned_updates": len(plan.updates) + len(plan.field_writes) if plan else None,
        "written": report.written,
        "rejected": report.rejected,
        "api_calls": report.api_calls,
        "api_daily_used": report.api_daily_used,
        "api_daily_limit": report.api_daily_limit,
        "message": report.message,
    }


def exit_code(statuses: list[str]) -> ExitCode:
    if any(status in ("failed", "interrupted") for status in statuses):
        return ExitCode.FAILED
    if any(status == "partial" for status in statuses):
        return ExitCode.PARTIAL
    return ExitCode.OK


def sync_command(
    config: ConfigOption = None,
    instance: InstanceOption = None,
    dry_run: Annotated[
        bool,
        typer.Option(
            "--dry-run", help="Extract and compute, print the write-back plan, write nothing to the CRM."
        ),
    ] = False,
    full: Annotated[
        bool,
        typer.Option("--full", help="Read every record again instead of what changed since the last run."),
    ] = False,
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of", metavar="YYYY-MM-DD", help="The day the KPIs are computed as of (default today)."
        ),
    ] = None,
    go_on: Annotated[
        bool,
        typer.Option(
            "--yes", "-y", help="Go on with a first sync larger than [writeback] max_first_sync_records."
        ),
    ] = False,
    log_format: Annotated[
        LogFormat,
        typer.Option(
            "--log-format",
            help="Progress on stderr: text (bars) or json (one event a line).",
            case_sensitive=False,
        ),
    ] = LogFormat.text,
    enqueue: Annotated[
        bool,
        typer.Option(
            "--enqueue",
            help="Send one run per instance to the [workers] queue (for `crm-kpi worker`); print run ids.",
        ),
    ] = False,
    output_format: FormatOption = OutputFormat.table,
) -> None:
    """Run one sync of each instance: extract what changed, compute the KPIs, write back what differs.

    Records are stored with their cursors as they arrive, so an interrupted run resumes where it stopped. Only
    values that differ from what was last written and from what the CRM holds now are written.

    With `--enqueue` the runs go to the workers' queue instead (the store must be PostgreSQL); `crm-kpi
    status` shows them by their run ids.

    Exit codes: 0 every instance synced (or queued); 3 finished, but records were quarantined or writes
    rejected (`crm-kpi status` lists them); 1 an instance failed or stopped early (the message says why; the
    next run resumes); 2 bad settings.
    """
    from sync.pipeline import RunOptions
    from sync.run_progress import BarsObserver, JsonLogObserver
    from sync.runner import sync_instances
    from sync.scheduler import StopOnSignal

    settings = settings_from(config)
    instances = chosen_instances(settings, instance)
    options = RunOptions(full=full, dry_run=dry_run, as_of=parse_date("--as-of", as_of), go_on=go_on)
    if enqueue:
        _enqueue(settings, [i.name for i in instances], options, output_format)
        return
    stopper = StopOnSignal()
    stopper.install()
    observer = JsonLogObserver() if log_format is LogFormat.json else BarsObserver()
    with observer:
        reports = sync_instances(settings, instances, options, observer=observer, stop=stopper.stop)
    if dry_run and output_format is OutputFormat.table:
        from sync.writeback.plan_view import render_plan

        for report in reports:
            if report.plan is not None:
                stdout_console().print(render_plan(report.plan.summary()))
    rows = [report_row(report) for report in reports]
    sections = [Section("runs", rows, RUN_COLUMNS, title="dry run (nothing written)" if dry_run else "sync")]
    if dry_run and output_format is not OutputFormat.table:
        sections.append(Section("plans", [r.plan.summary().as_dict() for r in reports if r.plan], ()))
    emit(output_format, *sections)
    code = exit_code([report.status for report in reports])
    if code is ExitCode.FAILED:
        failed = [f"{r.instance}: {r.message}" for r in reports if r.status in ("failed", "interrupted")]
        raise CliError("; ".join(failed), ExitCode.FAILED)
    if code is not ExitCode.OK:
        raise typer.Exit(int(code))


QUEUED_COLUMNS = (Column("instance"), Column("run_id", "run id"), Column("queue"))


def _enqueue(settings: Any, names: list[str], options: Any, output_format: OutputFormat) -> None:
    """`--enqueue`: one job per instance on the workers' queue; nothing runs here."""
    from sync.cli_workers import broker_app, require_shared_store
    from sync.store.store import Store
    from sync.workers.enqueue import enqueue_run

    if options.dry_run or options.go_on:
        option = "--dry-run" if options.dry_run else "--go-on"
        raise CliError(f"{option}: a queued run cannot take it; run `crm-kpi sync {option}` here instead")
    require_shared_store(settings, "crm-kpi sync --enqueue")
    app = broker_app(settings, "sync")
    with Store.open(settings.store.url) as store:
        jobs = [enqueue_run(app, store, name, full=options.full, as_of=options.as_of) for name in names]
    rows = [{"instance": job.instance, "run_id": job.run_id, "queue": settings.workers.queue} for job in jobs]
    emit(output_format, Section("queued", rows, QUEUED_COLUMNS, title="queued runs"))
