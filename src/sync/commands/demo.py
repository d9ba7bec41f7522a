"""`crm-kpi demo`: the main job on a generated example org.

Until the connectors exist, the demo runs the same path as `crm-kpi compute --input`: generate an org,
write it as the normalised JSON Lines files, load them back (validation and quarantine included), compute
the full catalog and print the organisation's KPIs for the latest complete period.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import polars as pl
import typer

from kpi_engine.config import KpiConfig
from sync.cli_errors import CliError, ExitCode, os_error
from sync.cli_input import Grain, OrgSize, output_directory, parse_date
from sync.cli_output import Column, FormatOption, OutputFormat, Section, emit, note, progress
from sync.load_report import load_input, report_load
from sync.value_display import format_number, kpi_name, kpi_value_text, unit_label

EXAMPLES = """\
Examples:

    crm-kpi demo

    crm-kpi demo --size tiny --grain month --as-of 2025-06-30 --output-dir /tmp/demo
"""


def latest_complete_period(values: pl.DataFrame, as_of: date) -> date | None:
    """The last period that ended on or before the as-of date: a full period, not a partial one."""
    ended = values.filter((pl.col("grain") != "to_date") & (pl.col("period_end") <= as_of))
    period: date | None = ended["period_start"].max() if ended.height else None  # type: ignore[assignment]
    return period


def org_section(values: pl.DataFrame, grain: str, period: date | None) -> Section:
    """The organisation's KPIs of one period: name, value with its unit, and what it was computed from."""
    rows = values.filter((pl.col("scope") == "org") & (pl.col("period_start") == period)).sort("kpi")
    columns = (
        Column("kpi"),
        Column("name", text=lambda row: kpi_name(row["kpi"])),
        Column("value", numeric=True, text=kpi_value_text),
        Column("unit", text=lambda row: unit_label(row["kpi"], row["unit"])),
        Column("numerator", numeric=True, text=lambda row: format_number(row["numerator"])),
        Column("denominator", numeric=True, text=lambda row: format_number(row["denominator"])),
    )
    title = f"Organisation KPIs of the generated example org, {grain} starting {period}"
    return Section("values", rows.iter_rows(named=True), columns, title)


def demo_command(
    size: Annotated[
        OrgSize,
        typer.Option(
            metavar="SIZE",
            help="Generated org size: tiny (seconds), small, medium, large (1M opportunities).",
        ),
    ] = OrgSize.small,
    seed: Annotated[
        int, typer.Option(metavar="N", help="Generator seed; the same seed and --as-of give the same org.")
    ] = 0,
    grain: Annotated[
        Grain, typer.Option(metavar="GRAIN", help="Period length of the table: month, quarter or year.")
    ] = Grain.quarter,
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of", metavar="DATE", help="YYYY-MM-DD the org and the run are as of (default today)."
        ),
    ] = None,
    output_dir: Annotated[
        Path, typer.Option(metavar="DIR", help="Where the org and the KPI values are written.")
    ] = Path("demo-output"),
    output_format: FormatOption = OutputFormat.table,
) -> None:
    """Run the main job on a generated example org and print its KPIs.

    The org is generated (no CRM is contacted). It is written as JSON Lines under --output-dir/input (the
    input format of `crm-kpi compute --input`), loaded back and computed; every KPI value goes to
    --output-dir/kpis.jsonl and the organisation's KPIs of the latest complete period are printed.
    """
    from kpi_engine import compute
    from sandbox.generator import generate_org

    if grain is Grain.to_date:
        raise CliError("--grain to_date: the demo prints a period's KPIs; use month, quarter or year")
    run_day = parse_date("--as-of", as_of) or date.today()
    input_dir = output_directory("--output-dir", output_dir) / "input"
    try:
        with progress(f"generating a {size.value} example org (seed {seed}, as of {run_day})"):
            org = generate_org(size.value, seed=seed, as_of=run_day)
            org.write_jsonl(input_dir)
    except OSError as error:
        raise os_error(error, f"--output-dir {output_dir}") from None
    loaded = load_input(input_dir, "--output-dir")
    counts = ", ".join(f"{frame.height:,} {name}" for name, frame in loaded.dataset.tables().items())
    note(f"generated and loaded {counts} from {input_dir}")
    outcome = report_load(loaded, KpiConfig().max_quarantined_share, None)
    with progress("computing the KPI catalog"):
        values = compute(loaded.dataset, grain=grain.value, as_of=run_day)
    try:
        values.write_ndjson(output_dir / "kpis.jsonl")
    except OSError as error:
        raise os_error(error, f"--output-dir {output_dir}") from None
    emit(output_format, org_section(values, grain.value, latest_complete_period(values, run_day)))
    note(f"{values.height:,} KPI values (every scope and period) written to {output_dir / 'kpis.jsonl'}")
    if outcome is not ExitCode.OK:
        raise typer.Exit(outcome)
