"""`crm-kpi demo`: the main job on a generated example org.

Until the connectors exist, the demo runs the same path as `crm-kpi compute --input`: generate an org,
write it as the normalised JSON Lines files, load them back (validation and quarantine included), compute
the full catalog and print the organisation's KPIs for the latest complete period.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl
import typer
from rich.console import Console
from rich.table import Table

from sync.cli import app
from sync.cli_input import Grain, OrgSize, fail, parse_date
from sync.value_display import format_number, format_value


def latest_complete_period(values: pl.DataFrame, as_of: date) -> date | None:
    """The last period that ended on or before the as-of date: a full period, not a partial one."""
    ended = values.filter((pl.col("grain") != "to_date") & (pl.col("period_end") <= as_of))
    return ended["period_start"].max() if ended.height else None


@app.command()
def demo(
    size: OrgSize = typer.Option(OrgSize.small, help="generated org size: tiny (seconds) to large (1M opportunities)"),
    seed: int = typer.Option(0, help="generator seed; the same seed and --as-of give the same org"),
    grain: Grain = typer.Option(Grain.quarter, help="period length of the table: month, quarter or year"),
    as_of: str | None = typer.Option(None, "--as-of", help="YYYY-MM-DD the org and the run are as of (default today)"),
    output_dir: Path = typer.Option(Path("demo-output"), help="where the org and the KPI values are written"),
) -> None:
    """Run the main job on a generated example org and print its KPIs.

    Writes the org as JSON Lines (the input format of `crm-kpi compute --input`) and the computed KPI
    values as kpis.jsonl under --output-dir.
    """
    from kpi_engine import compute
    from kpi_engine.loading import load_dataset
    from sandbox.generator import generate_org

    if grain is Grain.to_date:
        raise fail("--grain to_date: the demo prints a period's KPIs; use month, quarter or year")
    run_day = parse_date("--as-of", as_of) or date.today()
    console = Console()
    input_dir = output_dir / "input"
    with console.status(f"generating a {size.value} org (seed {seed})"):
        org = generate_org(size.value, seed=seed, as_of=run_day)
        org.write_jsonl(input_dir)
    loaded = load_dataset(input_dir)
    counts = ", ".join(f"{frame.height:,} {name}" for name, frame in loaded.dataset.tables().items())
    console.print(f"loaded {counts} from {input_dir}")
    if loaded.quarantined:
        console.print(f"[yellow]{len(loaded.quarantined)} records quarantined[/yellow]")
    with console.status("computing the KPI catalog"):
        values = compute(loaded.dataset, grain=grain.value, as_of=run_day)
    values.write_ndjson(output_dir / "kpis.jsonl")
    period = latest_complete_period(values, run_day)
    org_values = values.filter((pl.col("scope") == "org") & (pl.col("period_start") == period)).sort("kpi")
    table = Table(title=f"Organisation KPIs, {grain.value} starting {period}")
    for column in ("kpi", "value", "numerator", "denominator"):
        table.add_column(column, justify="left" if column == "kpi" else "right")
    for row in org_values.iter_rows(named=True):
        table.add_row(
            row["kpi"],
            format_value(row["value"], row["unit"]),
            format_number(row["numerator"]),
            format_number(row["denominator"]),
        )
    console.print(table)
    console.print(f"{values.height:,} KPI values (every scope and period) written to {output_dir / 'kpis.jsonl'}")
