"""`crm-kpi compute`: KPI values from a directory of normalised JSON Lines files."""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path

import orjson
import polars as pl
import typer
from rich.console import Console
from rich.table import Table

from kpi_engine import compute
from kpi_engine.catalog import CATALOG
from kpi_engine.loading import LoadError, LoadResult, load_dataset
from sync.cli import app
from sync.cli_input import Grain, fail, parse_date
from sync.settings import SettingsError, load_settings
from sync.value_display import format_number, format_value

SCOPES = ("org", "team", "rep", "region", "account", "opportunity", "stage", "lead_source", "status", "product")
QUARANTINE_EXAMPLES = 5


class ValueFormat(str, Enum):
    jsonl = "jsonl"
    table = "table"


def _report_quarantine(result: LoadResult) -> None:
    if not result.quarantined:
        return
    typer.echo(f"{len(result.quarantined)} record(s) quarantined and left out:", err=True)
    for record in result.quarantined[:QUARANTINE_EXAMPLES]:
        typer.echo(f"  {record.file}:{record.line}: {record.reason}", err=True)
    if len(result.quarantined) > QUARANTINE_EXAMPLES:
        typer.echo(f"  ... and {len(result.quarantined) - QUARANTINE_EXAMPLES} more", err=True)


def _print(values: pl.DataFrame, output_format: ValueFormat) -> None:
    if output_format is ValueFormat.jsonl:
        out = sys.stdout.buffer
        for row in values.iter_rows(named=True):
            out.write(orjson.dumps(row) + b"\n")
        out.flush()
        return
    table = Table("kpi", "scope", "scope_id", "period", "value", "unit", "numerator", "denominator")
    for column in table.columns[4:]:
        column.justify = "right"
    for row in values.iter_rows(named=True):
        table.add_row(
            row["kpi"], row["scope"], str(row["scope_id"]), str(row["period_start"]),
            format_value(row["value"], row["unit"]), row["unit"],
            format_number(row["numerator"]), format_number(row["denominator"]),
        )
    Console(width=160).print(table)


@app.command("compute")
def compute_command(
    input_dir: Path = typer.Option(..., "--input", help="directory of users.jsonl, opportunities.jsonl, ... "
                                   "(optional quotas.csv, spend.csv)"),
    grain: Grain = typer.Option(Grain.quarter, "--grain", help="period length, or to_date only"),
    output_format: ValueFormat = typer.Option(ValueFormat.jsonl, "--format", help="jsonl (one value a line) or table"),
    as_of: str | None = typer.Option(None, "--as-of", help="YYYY-MM-DD the run is as of (default today)"),
    since: str | None = typer.Option(None, "--since", help="YYYY-MM-DD: first period is the one holding it"),
    until: str | None = typer.Option(None, "--until", help="YYYY-MM-DD, exclusive: last period holds the day before"),
    kpi: list[str] = typer.Option([], "--kpi", help="KPI id to compute (repeatable; default all)"),
    scope: list[str] = typer.Option([], "--scope", help=f"scope to compute (repeatable; {', '.join(SCOPES)})"),
    config: Path | None = typer.Option(None, "--config", help="settings.toml (default $CRM_KPI_CONFIG)"),
) -> None:
    """Compute KPI values from normalised records and print them (JSON Lines by default).

    Each value carries kpi, scope, scope_id, grain, period_start, period_end, value (null when undefined,
    e.g. no closed deals), unit, numerator, denominator and skipped (nulls an average left out).
    Quarantined input records are summarised on stderr and left out.
    """
    try:
        settings = load_settings(config)
    except SettingsError as exc:
        raise fail(str(exc)) from None
    dates = {name: parse_date(name, text) for name, text in (("--as-of", as_of), ("--since", since), ("--until", until))}
    unknown = [k for k in kpi if k not in CATALOG or CATALOG[k].hidden]
    if unknown:
        raise fail(f"--kpi {', '.join(unknown)}: unknown KPI id; `crm-kpi kpis` lists them")
    bad_scopes = [s for s in scope if s not in SCOPES]
    if bad_scopes:
        raise fail(f"--scope {', '.join(bad_scopes)}: unknown scope; use {', '.join(SCOPES)}")
    try:
        loaded = load_dataset(input_dir)
    except LoadError as exc:
        raise fail(str(exc)) from None
    _report_quarantine(loaded)
    values = compute(
        loaded.dataset,
        settings.kpis,
        grain=grain.value,
        as_of=dates["--as-of"],
        since=dates["--since"],
        until=dates["--until"],
        kpis=kpi or None,
        scopes=scope or None,
    )
    _print(values, output_format)
