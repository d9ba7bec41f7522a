"""`crm-kpi compute`: KPI values from a directory of normalised JSON Lines files."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from kpi_engine.catalog import CATALOG
from sync.cli_errors import CliError, ExitCode
from sync.cli_input import (
    Grain,
    check_date_order,
    existing_directory,
    output_file,
    parse_date,
    settings_option,
)
from sync.cli_output import FormatOption, OutputFormat, emit
from sync.load_report import load_input, report_load
from sync.value_display import value_section

SCOPES = (
    "org",
    "team",
    "rep",
    "region",
    "account",
    "opportunity",
    "stage",
    "lead_source",
    "status",
    "product",
)

EXAMPLES = """\
Examples:

    crm-kpi compute --input export/ --format table --kpi win_rate --scope org

    crm-kpi compute --input export/ --grain month --since 2024-01-01 --until 2025-01-01 > values.jsonl

    crm-kpi compute --input export/ --quarantine-file rejected.jsonl
"""


def check_kpi_scopes(kpis: list[str], scopes: list[str]) -> None:
    """Unknown KPI ids and scopes, and a KPI asked for only at scopes it does not have, stop the command."""
    unknown = [k for k in kpis if k not in CATALOG or CATALOG[k].hidden]
    if unknown:
        raise CliError(f"--kpi {', '.join(unknown)}: unknown KPI id; `crm-kpi kpis` lists them")
    bad_scopes = [s for s in scopes if s not in SCOPES]
    if bad_scopes:
        raise CliError(f"--scope {', '.join(bad_scopes)}: unknown scope; use {', '.join(SCOPES)}")
    for kpi in kpis:
        have = CATALOG[kpi].scopes
        if scopes and not set(scopes) & set(have):
            raise CliError(
                f"--scope {', '.join(scopes)}: {kpi} is not computed at that scope; use --scope "
                f"{' or '.join(have)} (`crm-kpi kpis` shows each KPI's scopes)"
            )


def compute_command(
    input_dir: Annotated[
        Path,
        typer.Option(
            "--input",
            metavar="DIR",
            help="Directory of users.jsonl, opportunities.jsonl, ... (optional quotas.csv, spend.csv).",
        ),
    ],
    grain: Annotated[
        Grain,
        typer.Option(
            "--grain", metavar="GRAIN", help="month, quarter, year, or to_date (as of the run only)."
        ),
    ] = Grain.quarter,
    output_format: FormatOption = OutputFormat.jsonl,
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", metavar="DATE", help="YYYY-MM-DD the run is as of (default today)."),
    ] = None,
    since: Annotated[
        str | None,
        typer.Option("--since", metavar="DATE", help="YYYY-MM-DD: the first period is the one holding it."),
    ] = None,
    until: Annotated[
        str | None,
        typer.Option(
            "--until", metavar="DATE", help="YYYY-MM-DD, exclusive: the last period holds the day before."
        ),
    ] = None,
    kpi: Annotated[
        list[str] | None,
        typer.Option("--kpi", metavar="ID", help="KPI id to compute (repeatable; default all)."),
    ] = None,
    scope: Annotated[
        list[str] | None,
        typer.Option("--scope", metavar="SCOPE", help=f"Scope to compute (repeatable; {', '.join(SCOPES)})."),
    ] = None,
    quarantine_file: Annotated[
        Path | None,
        typer.Option(
            "--quarantine-file",
            metavar="PATH",
            help="Write every quarantined record (file, line, record_id, "
            "field, reason) to this JSON Lines file.",
        ),
    ] = None,
    max_quarantined: Annotated[
        float | None,
        typer.Option(
            "--max-quarantined",
            metavar="SHARE",
            help="Largest share of a table's records that may be "
            "quarantined, 0..1 (default: [kpis] max_quarantined_share, 0.05); above it the run fails.",
        ),
    ] = None,
    config: Annotated[
        Path | None, typer.Option("--config", metavar="FILE", help="settings.toml (default $CRM_KPI_CONFIG).")
    ] = None,
) -> None:
    """Compute KPI values from normalised records and print them (JSON Lines by default).

    Each value carries kpi, scope, scope_id, grain, period_start, period_end, value (null when undefined,
    e.g. no closed deals), unit, numerator, denominator and skipped (nulls an average left out).

    Records that fail validation are quarantined and left out; the summary on stderr says how many and
    where. Exit 3 when some were quarantined; exit 1, printing nothing, when more than the allowed share of
    a table was.
    """
    from kpi_engine import compute

    settings = settings_option(config)
    dates = {
        name: parse_date(name, text)
        for name, text in (("--as-of", as_of), ("--since", since), ("--until", until))
    }
    check_date_order(dates["--since"], dates["--until"])
    check_kpi_scopes(kpi or [], scope or [])
    threshold = settings.kpis.max_quarantined_share if max_quarantined is None else max_quarantined
    if not 0 <= threshold <= 1:
        raise CliError(f"--max-quarantined {max_quarantined}: use a share from 0 to 1 (0.05 is 5%)")
    if quarantine_file is not None:
        output_file("--quarantine-file", quarantine_file)
    loaded = load_input(existing_directory("--input", input_dir))
    outcome = report_load(loaded, threshold, quarantine_file)
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
    emit(output_format, value_section(values))
    if outcome is not ExitCode.OK:
        raise typer.Exit(outcome)
