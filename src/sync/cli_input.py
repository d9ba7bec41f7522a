"""What every command does with bad input: one line on stderr naming the option, then a non-zero exit."""

from __future__ import annotations

from datetime import date
from enum import Enum

import typer


class Grain(str, Enum):
    """Period length of computed values (`to_date`: as of the run only)."""

    month = "month"
    quarter = "quarter"
    year = "year"
    to_date = "to_date"


class OrgSize(str, Enum):
    """Sizes of a generated org: tiny (tests) to large (benches: a million opportunities)."""

    tiny = "tiny"
    small = "small"
    medium = "medium"
    large = "large"


def fail(message: str, code: int = 2) -> typer.Exit:
    """Print `error: message` and return the Exit to raise (2: bad usage, 1: the work itself failed)."""
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code)


def parse_date(option: str, text: str | None) -> date | None:
    """An optional YYYY-MM-DD option value; a bad one stops the command naming the option."""
    if text is None or text == "":
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise fail(f"{option} {text!r}: expected a date as YYYY-MM-DD") from None
