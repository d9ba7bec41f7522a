"""The `crm-kpi` command: a thin layer over library calls, one module per command in `sync.commands`.

Conventions (docs/architecture.md, "CLI conventions"): commands are registered here, explicitly, in
`COMMANDS`; errors are `sync.cli_errors.CliError` (rendered once by `CliGroup`); output goes through
`sync.cli_output` (`--format table|json|jsonl`); option checks are in `sync.cli_input`.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib.metadata import PackageNotFoundError, version
from typing import Annotated, Any

import typer

from sync.cli_errors import CliGroup
from sync.commands import (
    compute,
    demo,
    export,
    install,
    kpis,
    report,
    run_sync,
    sandbox,
    schedule,
    schema,
    status,
    worker,
)

app = typer.Typer(
    name="crm-kpi",
    cls=CliGroup,
    help="Sales KPIs for Salesforce and HubSpot: extract, compute, write back.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="markdown",
)

# name -> (the command function, its examples for --help). Add a command by adding its module to
# sync.commands and one line here, in alphabetical order.
COMMANDS: dict[str, tuple[Callable[..., Any], str]] = {
    "compute": (compute.compute_command, compute.EXAMPLES),
    "demo": (demo.demo_command, demo.EXAMPLES),
    "export": (export.export_command, export.EXAMPLES),
    "install": (install.install_command, install.EXAMPLES),
    "kpis": (kpis.kpis_command, kpis.EXAMPLES),
    "report": (report.report_command, report.EXAMPLES),
    "sandbox": (sandbox.sandbox_command, sandbox.EXAMPLES),
    "schedule": (schedule.schedule_command, schedule.EXAMPLES),
    "schema": (schema.schema_command, schema.EXAMPLES),
    "status": (status.status_command, status.EXAMPLES),
    "sync": (run_sync.sync_command, run_sync.EXAMPLES),
    "worker": (worker.worker_command, worker.EXAMPLES),
}

for _name, (_command, _examples) in COMMANDS.items():
    app.command(_name, epilog=_examples)(_command)


def _package_version() -> str:
    try:
        return version("crm-kpi")
    except PackageNotFoundError:  # running from a source tree that was never installed
        return "unknown"


def _print_version(requested: bool) -> None:
    if requested:
        typer.echo(f"crm-kpi {_package_version()}")
        raise typer.Exit()


@app.callback()
def _root(
    _version: Annotated[
        bool,
        typer.Option("--version", help="Print the version and exit.", callback=_print_version, is_eager=True),
    ] = False,
) -> None:
    """Sales KPIs for Salesforce and HubSpot: extract, compute, write back.

    Settings come from settings.toml (`--config` or `CRM_KPI_CONFIG`); secrets from the environment
    variables the settings name. Exit codes: 0 ok, 1 the run failed, 2 bad usage or settings, 3 partial
    (the run finished but some records were quarantined).
    """



def main() -> None:
    app()


if __name__ == "__main__":
    # Run as `python -m sync.cli` this module is `__main__`: hand over to the imported `sync.cli` so the
    # app is the one every test and entry point uses.
    import sync.cli

    sync.cli.main()
