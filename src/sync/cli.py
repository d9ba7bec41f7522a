"""The `crm-kpi` command: a thin layer over library calls. One sub-module per command group."""

from __future__ import annotations

import typer

app = typer.Typer(
    name="crm-kpi",
    help="Sales KPIs for Salesforce and HubSpot: extract, compute, write back.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _register_commands() -> None:
    import importlib
    import pkgutil

    import sync.commands

    for module in pkgutil.iter_modules(sync.commands.__path__):
        importlib.import_module(f"sync.commands.{module.name}")


def main() -> None:
    _register_commands()
    app()


@app.callback()
def _root() -> None:
    """Sales KPIs for Salesforce and HubSpot: extract, compute, write back.

    Settings come from settings.toml (--config or CRM_KPI_CONFIG); secrets from the environment
    variables the settings name.
    """


if __name__ == "__main__":
    # Run as `python -m sync.cli` this module is `__main__`, while the commands register on `sync.cli.app`:
    # hand over to the imported module so both are the same app.
    import sync.cli

    sync.cli.main()
