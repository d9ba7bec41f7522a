"""`crm-kpi report`: the HTML report, one self-contained file (a thin layer over `sync.report`)."""

from __future__ import annotations

from pathlib import Path

import typer

from kpi_engine.loading import LoadError
from sync.cli import app
from sync.cli_input import Grain, fail, parse_date
from sync.report import ReportInstance
from sync.report.from_dataset import report_from_directory
from sync.settings import SettingsError, load_settings


@app.command("report")
def report_command(
    input_dir: Path | None = typer.Option(
        None, "--input", help="directory of `compute --input` files to report on"
    ),
    output: Path = typer.Option(Path("report.html"), "--output", help="the HTML file to write"),
    grain: Grain = typer.Option(
        Grain.quarter, "--grain", help="period length of the charts: month, quarter, year"
    ),
    as_of: str | None = typer.Option(None, "--as-of", help="YYYY-MM-DD the report is as of (default today)"),
    title: str | None = typer.Option(None, "--title", help="the page's title"),
    salesforce_url: str | None = typer.Option(
        None, "--salesforce-url", help="the org's instance URL, for links to Salesforce records"
    ),
    hubspot_portal: str | None = typer.Option(
        None, "--hubspot-portal", help="the HubSpot account (portal) id, for links to HubSpot records"
    ),
    config: Path | None = typer.Option(None, "--config", help="settings.toml (default $CRM_KPI_CONFIG)"),
) -> None:
    """Write the KPI report as one HTML file that fetches nothing when opened.

    Bookings and win rate, the funnel, pipeline, activity by rep, MRR movements, quota attainment, and the
    records that were quarantined, each with a link to it in its CRM.
    """
    if grain is Grain.to_date:
        raise fail("--grain to_date: the report charts periods; use month, quarter or year")
    if input_dir is None:
        raise fail("--input DIR is needed for now: the report from the local store comes with `crm-kpi sync`")
    if salesforce_url and hubspot_portal:
        raise fail("--salesforce-url and --hubspot-portal: one directory holds one CRM's records; give one")
    try:
        settings = load_settings(config)
    except SettingsError as exc:
        raise fail(str(exc)) from None
    instance = None
    if salesforce_url or hubspot_portal:
        instance = (
            ReportInstance("salesforce", "salesforce", web_url=salesforce_url)
            if salesforce_url
            else ReportInstance("hubspot", "hubspot", portal_id=hubspot_portal)
        )
    try:
        html = report_from_directory(
            input_dir,
            settings.kpis,
            instance=instance,
            grain=grain.value,
            as_of=parse_date("--as-of", as_of),
            title=title,
        )
    except LoadError as exc:
        raise fail(str(exc)) from None
    output.write_text(html, encoding="utf-8")
    typer.echo(f"wrote {output} ({len(html.encode()) / 1024:,.0f} KiB)")
