"""settings.toml: one table per area (DESIGN.md, "Settings"): `[kpis]`, `[store]`, `[[instances]]`,
`[writeback]`, `[schedule]`, `[workers]`. Every key is documented in settings.example.toml and
docs/settings.md.

Read from `--config PATH` or the file named by `CRM_KPI_CONFIG`. Unknown keys and bad values stop the run
with one message naming the file and the key (`instances[0].auth: ...`), because a silently ignored typo
would compute or write wrong KPIs. A secret written into the file is refused before anything else, with
where it goes instead: secrets live in environment variables that the settings name.
"""

from __future__ import annotations

import os
import re
import tomllib
from pathlib import Path
from typing import Any

from pydantic import ValidationError, model_validator
from pydantic_core import ErrorDetails
from pydantic_settings import BaseSettings, SettingsConfigDict

from connectors.config import InstanceConfig
from kpi_engine.config import KpiConfig
from kpi_engine.text_encoding import decode_utf8
from sync.settings_tables import ScheduleSettings, StoreSettings, WorkersSettings
from sync.writeback.targets import WritebackSettings

CONFIG_ENV = "CRM_KPI_CONFIG"


class SettingsError(ValueError):
    """The settings file cannot be used; the message names the file and the key."""


class Settings(BaseSettings):
    """All settings. Add a table by adding a field whose type is a pydantic model."""

    model_config = SettingsConfigDict(extra="forbid", frozen=True, env_prefix="CRM_KPI_")

    kpis: KpiConfig = KpiConfig()
    store: StoreSettings = StoreSettings()
    instances: tuple[InstanceConfig, ...] = ()
    writeback: WritebackSettings = WritebackSettings()
    schedule: ScheduleSettings = ScheduleSettings()
    workers: WorkersSettings = WorkersSettings()

    @model_validator(mode="after")
    def _instances_known(self) -> Settings:
        names = [instance.name for instance in self.instances]
        repeated = sorted({name for name in names if names.count(name) > 1})
        if repeated:
            raise ValueError(
                f"instances: the name {repeated[0]!r} is used twice; each instance needs its own"
            )
        unknown = sorted(set(self.schedule.instances) - set(names))
        if unknown:
            raise ValueError(
                f"schedule.instances: {unknown[0]!r} is not the name of an instance in [[instances]]"
            )
        return self

    def instance(self, name: str) -> InstanceConfig:
        for instance in self.instances:
            if instance.name == name:
                return instance
        known = ", ".join(i.name for i in self.instances) or "none in the settings"
        raise KeyError(f"no instance named {name!r} (known: {known})")


# Key names that hold a secret when they are not the name of an environment variable (`*_env`) or a path
# to a file (`*_file`).
_SECRET_KEY = re.compile(r"secret|password|passwd|token|api_?key|private_?key|access_?key|credential", re.I)


def _secret_keys(table: Any, where: str = "") -> list[str]:
    """Where a value sits under a key that looks like a secret (e.g. `instances[0].client_secret`)."""
    found: list[str] = []
    if isinstance(table, dict):
        for key, value in table.items():
            path = f"{where}.{key}" if where else str(key)
            if (
                _SECRET_KEY.search(str(key))
                and not str(key).endswith(("_env", "_file"))
                and not isinstance(value, dict | list)
            ):
                found.append(path)
            found += _secret_keys(value, path)
    elif isinstance(table, list):
        for index, item in enumerate(table):
            found += _secret_keys(item, f"{where}[{index}]")
    return found


def _refuse_secrets(table: dict[str, Any]) -> None:
    found = _secret_keys(table)
    if found:
        key = found[0]
        name = key.rsplit(".", 1)[-1]
        variable = f"{_env_prefix(table, key)}_{name}".upper()
        raise SettingsError(
            f"{key}: secrets never go in the settings file; put the value in an environment variable "
            f'(export {variable}=...) and write its name instead: {name}_env = "{variable}"'
        )


def _env_prefix(table: dict[str, Any], key: str) -> str:
    """A suggested variable prefix: the instance's name where the key is in one, else CRM_KPI."""
    match = re.match(r"instances\[(\d+)\]", key)
    instances = table.get("instances")
    if match and isinstance(instances, list) and isinstance(instances[int(match[1])], dict):
        name = instances[int(match[1])].get("name")
        if isinstance(name, str) and name:
            return re.sub(r"[^A-Za-z0-9]+", "_", name)
    return "CRM_KPI"


def _key(loc: tuple[int | str, ...]) -> str:
    """`('instances', 0, 'auth')` → `instances[0].auth`."""
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _describe(error: ErrorDetails, table: dict[str, Any]) -> str:
    loc = tuple(error["loc"])
    key = _key(loc)
    message = str(error["msg"]).removeprefix("Value error, ")
    if error["type"] == "extra_forbidden":
        message = "unknown key"
    if len(loc) >= 2 and loc[0] == "instances" and isinstance(loc[1], int):
        instances = table.get("instances")
        if isinstance(instances, list) and loc[1] < len(instances) and isinstance(instances[loc[1]], dict):
            name = instances[loc[1]].get("name")
            if name:
                key += f" (instance {name!r})"
    return f"{key}: {message[:1].lower()}{message[1:]}" if key else f"{message[:1].lower()}{message[1:]}"


def load_settings(path: Path | None = None) -> Settings:
    """Settings from `path`, else from $CRM_KPI_CONFIG, else the defaults."""
    if path is None and os.environ.get(CONFIG_ENV):
        path = Path(os.environ[CONFIG_ENV])
    if path is None:
        return Settings()
    try:
        # Editors on Windows start UTF-8 files with a byte-order mark, which tomllib rejects: decode it away.
        table = tomllib.loads(decode_utf8(Path(path).read_bytes(), str(path)))
    except FileNotFoundError:
        raise SettingsError(f"{path}: no such settings file") from None
    except IsADirectoryError:
        example = Path(path) / "settings.toml"
        raise SettingsError(f"{path}: is a directory; give the settings file (e.g. {example})") from None
    except OSError as exc:
        raise SettingsError(f"{path}: cannot be read ({(exc.strerror or str(exc)).lower()})") from None
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"{path}: not valid TOML: {exc}") from None
    except ValueError as exc:  # not UTF-8: the message names the line and byte offset
        raise SettingsError(str(exc)) from None
    try:
        _refuse_secrets(table)
    except SettingsError as exc:
        raise SettingsError(f"{path}: {exc}") from None
    try:
        return Settings(**table)
    except ValidationError as exc:
        raise SettingsError(f"{path}: {_describe(exc.errors()[0], table)}") from None
