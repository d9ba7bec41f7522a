"""`crm-kpi demo`: the main job on both sandbox CRMs with a generated org, proven by reading it back."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer

from sync.cli_errors import CliError, ExitCode, os_error
from sync.cli_input import OrgSize, output_directory, parse_date
from sync.cli_output import Column, FormatOption, OutputFormat, Section, emit, note
from sync.value_display import format_number, format_value, kpi_name, kpi_value_text, unit_label

EXAMPLES = """\
Examples:

    crm-kpi demo

    crm-kpi demo --size tiny --as-of 2026-06-30 --output-dir /tmp/demo
"""


def org_section(values: Any, instance: str) -> Section:
    """The organisation's KPIs of the latest complete quarter: name, value with its unit, and what it was
    computed from."""
    rows = values.filter(values["scope"] == "org").sort("kpi") if values is not None else values
    period = rows["period_start"][0] if rows is not None and rows.height else None
    columns = (
        Column("kpi"),
        Column("name", text=lambda row: kpi_name(row["kpi"])),
        Column("value", numeric=True, text=kpi_value_text),
        Column("unit", text=lambda row: unit_label(row["kpi"], row["unit"])),
        Column("numerator", numeric=True, text=lambda row: format_number(row["numerator"])),
        Column("denominator", numeric=True, text=lambda row: format_number(row["denominator"])),
    )
    title = f"Organisation KPIs of the generated example org ({instance}), quarter starting {period}"
    return Section("values", rows.iter_rows(named=True) if rows is not None else [], columns, title)


def _stream_counts(extracted: dict[str, int]) -> str:
    changed = {stream: count for stream, count in extracted.items() if count}
    return ", ".join(f"{count:,} {stream}" for stream, count in changed.items()) or "nothing"


def _leaderboard_section(board: Any) -> Section:
    rows = board.iter_rows(named=True) if board is not None and board.height else []
    columns = (
        Column("instance"),
        Column("name", "rep"),
        Column("team", text=lambda r: r["team"] or ""),
        Column("bookings", numeric=True, text=lambda r: format_value(r["bookings"], "currency")),
        Column("deals_won", "deals won", numeric=True, text=lambda r: format_value(r["deals_won"], "count")),
        Column(
            "win_rate",
            "win rate",
            numeric=True,
            text=lambda r: format_value(r["win_rate"], "ratio", percent=True),
        ),
        Column(
            "quota_attainment",
            "quota attained",
            numeric=True,
            text=lambda r: format_value(r["quota_attainment"], "ratio", percent=True),
        ),
        Column("activities", numeric=True, text=lambda r: format_value(r["activities"], "count")),
    )
    quarter = board["quarter"][0] if board is not None and board.height else None
    return Section(
        "leaderboard", rows, columns, title=f"Leaderboard: the quarter starting {quarter}, by bookings"
    )


def _run_section(key: str, title: str, reports: list[Any]) -> Section:
    rows = [
        {
            "instance": r.instance,
            "status": r.status,
            "read": _stream_counts(r.extracted),
            "records": r.read,
            "written": r.written,
            "rejected": r.rejected,
            "api_calls": r.api_calls,
            "message": r.message,
        }
        for r in reports
    ]
    columns = (
        Column("instance"),
        Column("status"),
        Column("records", "records read", numeric=True, text=lambda r: f"{r['records']:,}"),
        Column("written", numeric=True, text=lambda r: f"{r['written']:,}"),
        Column("rejected", numeric=True, text=lambda r: f"{r['rejected']:,}"),
        Column("api_calls", "API calls", numeric=True, text=lambda r: f"{r['api_calls']:,}"),
        Column("read", "what was read"),
    )
    return Section(key, rows, columns, title=title)


def demo_command(
    size: Annotated[
        OrgSize,
        typer.Option(
            metavar="SIZE",
            help="Generated org size: demo (50 reps, 20,000 "
            "opportunities, 300,000 activities), tiny, small, medium, large.",
        ),
    ] = OrgSize.demo,
    seed: Annotated[
        int, typer.Option(metavar="N", help="Generator seed; the same seed and --as-of give the same org.")
    ] = 0,
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of", metavar="DATE", help="YYYY-MM-DD the org and the runs are as of (default today)."
        ),
    ] = None,
    output_dir: Annotated[
        Path, typer.Option(metavar="DIR", help="Where the store, settings.toml and report.html are written.")
    ] = Path("demo-output"),
    output_format: FormatOption = OutputFormat.table,
) -> None:
    """Run the main job on both sandbox CRMs: install, sync, prove the written values, report, sync again.

    Starts a Salesforce and a HubSpot sandbox serving the same generated org, installs the KPI fields and the
    snapshot object, syncs both (extract, compute, write back), reads every written field and snapshot record
    back from the CRMs and compares them with what was written, prints a leaderboard of the reps and writes
    report.html. Then users edit a few deals through the CRMs' APIs and a second sync shows it reads and
    writes only what changed.

    The org is generated; no real CRM is contacted. Afterwards `crm-kpi status --config DIR/settings.toml` and
    `crm-kpi report --config DIR/settings.toml` read the demo's store.
    """
    from sync.demo import run_demo
    from sync.run_progress import BarsObserver

    run_day = parse_date("--as-of", as_of) or date.today()
    directory = output_directory("--output-dir", output_dir)
    try:
        with BarsObserver() as observer:
            demo = run_demo(
                size=size.value, seed=seed, as_of=run_day, output_dir=directory, observer=observer, say=note
            )
    except OSError as error:
        raise os_error(error, f"--output-dir {output_dir}") from None
    for outcome in demo.installs:
        if outcome.before is not None:
            note(
                f"installed on {outcome.instance}: {len(outcome.before.to_create)} fields, objects and "
                "permissions created"
            )
    sections = [_run_section("first_sync", "First sync (full)", demo.first)]
    proof = [
        {
            "instance": r.instance,
            "snapshots": r.snapshots,
            "fields": r.fields,
            "mismatches": len(r.mismatches),
        }
        for r in demo.readbacks
    ]
    sections.append(
        Section(
            "readback",
            proof,
            (
                Column("instance"),
                Column(
                    "snapshots",
                    "snapshot records read back",
                    numeric=True,
                    text=lambda r: f"{r['snapshots']:,}",
                ),
                Column(
                    "fields",
                    "records with KPI fields read back",
                    numeric=True,
                    text=lambda r: f"{r['fields']:,}",
                ),
                Column("mismatches", numeric=True),
            ),
            title="Written values read back from the CRMs",
        )
    )
    sections.append(org_section(demo.org_values, demo.first[0].instance if demo.first else ""))
    sections.append(_leaderboard_section(demo.leaderboard))
    sections.append(
        _run_section(
            "second_sync", "Second sync: nothing changed (it reads back its own field writes)", demo.second
        )
    )
    sections.append(
        _run_section("third_sync", "Third sync, after the users' edits: only what changed", demo.third)
    )
    emit(output_format, *sections)
    for readback in demo.readbacks:
        state = "all match" if not readback.mismatches else f"{len(readback.mismatches)} differ"
        note(f"{readback.instance}: checked {readback.checked:,} written values in the CRM: {state}")
        for mismatch in readback.mismatches[:5]:
            note(f"  {mismatch}")
    note(f"report: {demo.report_path}; settings for status/report/export: {directory / 'settings.toml'}")
    failed = [r for r in demo.first + demo.second + demo.third if r.status not in ("ok", "partial")]
    if failed or any(r.mismatches for r in demo.readbacks):
        raise CliError(
            "; ".join(f"{r.instance}: {r.message}" for r in failed) or "written values differ",
            ExitCode.FAILED,
        )
