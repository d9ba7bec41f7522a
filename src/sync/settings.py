"""settings.toml: one table per area (`[kpis]` now; later issues add theirs as fields of `Settings`).

Read from `--config PATH` or the file named by `CRM_KPI_CONFIG`. Unknown keys and bad values stop the run
with one message naming the file and the key, because a silently ignored typo would compute wrong KPIs.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

from pydantic import ValidationError
from pydantic_core import ErrorDetails
from pydantic_settings import BaseSettings, SettingsConfigDict

from kpi_engine.config import KpiConfig
from kpi_engine.text_encoding import decode_utf8

CONFIG_ENV = "CRM_KPI_CONFIG"


class SettingsError(ValueError):
    """The settings file cannot be used; the message names the file and the key."""


class Settings(BaseSettings):
    """All settings. Add a table by adding a field whose type is a pydantic model."""

    model_config = SettingsConfigDict(extra="forbid", frozen=True, env_prefix="CRM_KPI_")

    kpis: KpiConfig = KpiConfig()


def _describe(error: ErrorDetails) -> str:
    key = ".".join(str(part) for part in error["loc"])
    message = str(error["msg"])
    if error["type"] == "extra_forbidden":
        message = "unknown key"
    return f"{key}: {message[:1].lower()}{message[1:]}"


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
        return Settings(**table)
    except ValidationError as exc:
        raise SettingsError(f"{path}: {_describe(exc.errors()[0])}") from None
