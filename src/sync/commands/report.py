"""`crm-kpi report`: the HTML report, one self-contained file (a thin layer over `sync.report`)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from sync.cli_errors import CliError, os_error
from sync.cli_input import Grain, existing_directory, output_file, parse_date
from sync.cli_output import note, progress
from sync.cli_settings import ConfigOption, InstanceOption, chosen_instances, settings_from

EXAMPLES = """\
Examples:

    crm-kpi report --config settings.toml --output report.html

    crm-kpi report --input exported/ --salesforce-url https://acme.my.salesforce.com
"""


def report_command(
    output: Annotated[Path, typer.Option("--output", metavar="FILE", help="The HTML file to write.")] = Path(
        "report.html"
    ),
    config: ConfigOption = None,
    instance: InstanceOption = None,
    input_dir: Annotated[
        Path | None,
        typer.Option(
            "--input", metavar="DIR", help="Report on `compute --input` files instead of the local store."
        ),
    ] = None,
    grain: Annotated[
        Grain, typer.Option("--grain", help="Period length of the charts: month, quarter or year.")
    ] = Grain.quarter,
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", metavar="YYYY-MM-DD", help="The day the report is as of (default today)."),
    ] = None,
    title: Annotated[str | None, typer.Option("--title", help="The page's title.")] = None,
    salesforce_url: Annotated[
        str | None,
        typer.Option(
            "--salesforce-url",
            metavar="URL",
            help="With --input: the org's URL, for links to Salesforce records.",
        ),
    ] = None,
    hubspot_portal: Annotated[
        str | None,
        typer.Option(
            "--hubspot-portal",
            metavar="ID",
            help="With --input: the HubSpot portal id, for links to HubSpot records.",
        ),
    ] = None,
) -> None:
    """Write the KPI report as one HTML file that fetches nothing when opened.

    Bookings and win rate, the funnel with stage conversion, pipeline, activity by rep, MRR movements, quota
    attainment, and a data-quality section: quarantined records and rejected writes, each linked to its record
    in the CRM. By default from the local store of the settings (every instance, or those named by
    --instance).
    """
    from sync.report import ReportInstance

    if grain is Grain.to_date:
        raise CliError("--grain to_date: the report charts periods; use month, quarter or year")
    if salesforce_url and hubspot_portal:
        raise CliError(
            "--salesforce-url and --hubspot-portal: one directory holds one CRM's records; give one"
        )
    settings = settings_from(config)
    day = parse_date("--as-of", as_of)
    target = output_file("--output", output)
    with progress("computing and drawing the report"):
        if input_dir is not None:
            from kpi_engine.loading import LoadError
            from sync.report.from_dataset import report_from_directory

            described = None
            if salesforce_url:
                described = ReportInstance("salesforce", "salesforce", web_url=salesforce_url)
            elif hubspot_portal:
                described = ReportInstance("hubspot", "hubspot", portal_id=hubspot_portal)
            try:
                html = report_from_directory(
                    existing_directory("--input", input_dir),
                    settings.kpis,
                    instance=described,
                    grain=grain.value,
                    as_of=day,
                    title=title,
                )
            except LoadError as error:
                raise CliError(f"--input {input_dir}: {error}") from None
        else:
            from sync.report.from_store import report_from_store
            from sync.store.store import Store

            chosen = chosen_instances(settings, instance)
            with Store.open(settings.store.url) as store:
                html = report_from_store(
                    store, chosen, settings.kpis, title=title, grain=grain.value, as_of=day
                )
    try:
        target.write_text(html, encoding="utf-8")
    except OSError as error:
        raise os_error(error, f"--output {output}") from None
    note(f"wrote {target} ({len(html.encode()) / 1024:,.0f} KiB)")
