"""The options every command that touches an instance shares: `--config` and `--instance`.

Settings errors and unknown instance names become one `CliError` line with exit 2, naming the file, the
key or the instance, and what to do.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from connectors.config import InstanceConfig
from sync.cli_errors import CliError
from sync.settings import Settings, SettingsError, load_settings

ConfigOption = Annotated[
    Path | None,
    typer.Option(
        "--config",
        metavar="FILE",
        envvar="CRM_KPI_CONFIG",
        help="settings.toml to read (default: $CRM_KPI_CONFIG).",
    ),
]
InstanceOption = Annotated[
    list[str] | None,
    typer.Option(
        "--instance",
        metavar="NAME",
        help="An instance of the settings (repeat for several); default every instance.",
    ),
]


def settings_from(config: Path | None) -> Settings:
    try:
        return load_settings(config)
    except SettingsError as error:
        raise CliError(str(error)) from None


def chosen_instances(settings: Settings, names: list[str] | None) -> list[InstanceConfig]:
    if not settings.instances:
        raise CliError(
            "the settings name no instance; add an [[instances]] table to settings.toml "
            "(settings.example.toml shows one per CRM) and pass it with --config"
        )
    try:
        return [settings.instance(name) for name in names] if names else list(settings.instances)
    except KeyError as error:
        raise CliError(f"--instance: {error.args[0]}") from None
