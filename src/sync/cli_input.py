"""What every command does with its options before the work: check them and stop with one line naming the
option and the fix (`CliError`, exit 2), so the work itself never meets a path or date it cannot use."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from pathlib import Path

from sync.cli_errors import CliError, ExitCode, os_error
from sync.settings import CONFIG_ENV, Settings, SettingsError, load_settings


class Grain(StrEnum):
    """Period length of computed values (`to_date`: as of the run only)."""

    month = "month"
    quarter = "quarter"
    year = "year"
    to_date = "to_date"


class OrgSize(StrEnum):
    """Sizes of a generated org: tiny (tests) to large (benches: a million opportunities)."""

    tiny = "tiny"
    small = "small"
    medium = "medium"
    large = "large"


# Dates a sales KPI can mean: periods are computed up to a year past a date, so 9999-12-31 would overflow.
FIRST_DATE = date(1900, 1, 1)
LAST_DATE = date(2199, 12, 31)


def parse_date(option: str, text: str | None) -> date | None:
    """An optional YYYY-MM-DD option value; a bad or out-of-range one stops the command naming the option."""
    if text is None or text == "":
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise CliError(f"{option} {text!r}: expected a date as YYYY-MM-DD") from None
    if not FIRST_DATE <= day <= LAST_DATE:
        raise CliError(f"{option} {text}: out of range; use a date from {FIRST_DATE} to {LAST_DATE}")
    return day


def check_date_order(since: date | None, until: date | None) -> None:
    """`--since` must come before `--until` (exclusive), or no period is left to compute."""
    if since is not None and until is not None and since >= until:
        raise CliError(
            f"--since {since} is not before --until {until}; --until is exclusive, give a later day"
        )


def existing_directory(option: str, path: Path) -> Path:
    """A directory to read: it must exist and not be a file."""
    if path.is_file():
        raise CliError(f"{option} {path}: is a file; give the directory that holds it (e.g. {path.parent})")
    if not path.is_dir():
        raise CliError(f"{option} {path}: no such directory")
    return path


def existing_file(option: str, path: Path) -> Path:
    """A file to read: it must exist and not be a directory."""
    if path.is_dir():
        raise CliError(f"{option} {path}: is a directory; give a file in it")
    if not path.exists():
        raise CliError(f"{option} {path}: no such file")
    return path


def output_directory(option: str, path: Path) -> Path:
    """A directory to write into, created when missing; a file in its place stops the command."""
    if path.exists() and not path.is_dir():
        raise CliError(f"{option} {path}: is a file; give a directory (it is created when missing)")
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise os_error(error, f"{option} {path}", ExitCode.USAGE) from None
    return path


def output_file(option: str, path: Path) -> Path:
    """A file to write: a directory in its place, or a missing parent directory, stops the command."""
    if path.is_dir():
        raise CliError(f"{option} {path}: is a directory; give a file name (e.g. {path / 'out.jsonl'})")
    if not path.parent.is_dir():
        raise CliError(f"{option} {path}: the directory {path.parent} does not exist")
    return path


def settings_option(config: Path | None) -> Settings:
    """The settings of `--config` (else $CRM_KPI_CONFIG, else the defaults); a bad file stops the command
    with exit 2, naming where the path came from, the key and the fix."""
    try:
        return load_settings(config)
    except SettingsError as error:
        where = "--config" if config is not None else f"${CONFIG_ENV}"
        raise CliError(f"{where} {error}") from None
