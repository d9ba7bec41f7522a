"""What every `crm-kpi` command prints: one `--format` option and the one renderer of its three formats.

- `table`: for people (rich tables on stdout; summaries, warnings and progress on stderr).
- `json`: one JSON document (an object with one key per section).
- `jsonl`: a stream, one JSON object a line (a `section` key is added only when there are several sections).

A command builds `Section`s (rows plus the columns a table shows) and calls `emit`. JSON goes through
`json_bytes` only, so a value prints the same in every format: a null is `null` in JSON and in a table,
and a non-finite float (which orjson would write as null) is shown as null in the table too.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Any

import orjson
import typer
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from sync.cli_errors import CliError, os_error


class OutputFormat(StrEnum):
    """The output formats; a command offers those that make sense for it (`allow_formats`)."""

    table = "table"
    json = "json"
    jsonl = "jsonl"


FORMAT_HELP = "table (for people), json (one document) or jsonl (one JSON object a line)."
FormatOption = Annotated[
    OutputFormat, typer.Option("--format", help=FORMAT_HELP, case_sensitive=False, metavar="table|json|jsonl")
]
"""The `--format` option of every command: `output_format: FormatOption = OutputFormat.table`."""

Row = Mapping[str, Any]


@dataclass(frozen=True)
class Column:
    """A table column: `key` of the row, its header, and how the cell reads (default: the value as text)."""

    key: str
    header: str | None = None
    numeric: bool = False
    """Right-justified."""
    text: Callable[[Row], str] | None = None


@dataclass(frozen=True)
class Section:
    """Rows of one kind: a table (titled) in `table`, a key of the document in `json`."""

    key: str
    rows: Iterable[Row]
    columns: tuple[Column, ...]
    title: str | None = None


def json_bytes(value: object, *, indent: bool = False) -> bytes:
    """The one JSON encoder of the CLI (dates as ISO text; non-finite floats as null)."""
    return orjson.dumps(value, option=orjson.OPT_INDENT_2 if indent else 0)


def stdout_console() -> Console:
    """The console of tables: wide enough for them when stdout is not a terminal (a pipe, a file)."""
    return Console(width=None if sys.stdout.isatty() else 160, highlight=False)


def stderr_console() -> Console:
    """The console of progress, summaries and warnings: never mixed into the output people pipe."""
    return Console(stderr=True, highlight=False, width=None if sys.stderr.isatty() else 160)


def note(message: str) -> None:
    """A line for people on stderr (a summary, where a file was written)."""
    typer.echo(message, err=True)


def warn(message: str) -> None:
    """`warning: message` on stderr: something the run went on past that the user should know."""
    typer.echo(f"warning: {message}", err=True)


@contextmanager
def progress(description: str) -> Iterator[None]:
    """A spinner with the elapsed time on stderr while a long step runs; the line stays when it ends."""
    with Progress(
        SpinnerColumn(finished_text="done"),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        console=stderr_console(),
    ) as bar:
        task = bar.add_task(description, total=1)
        yield
        bar.update(task, completed=1)


def cell_text(value: object) -> str:
    """A cell for people: '' for null, 'null' for a non-finite float (JSON writes null there too)."""
    if value is None:
        return ""
    if isinstance(value, float) and not math.isfinite(value):
        return "null"
    return str(value)


def allow_formats(output_format: OutputFormat, *allowed: OutputFormat) -> None:
    """Stop with exit 2 when a command does not offer `output_format`."""
    if output_format not in allowed:
        names = ", ".join(f.value for f in allowed)
        raise CliError(f"--format {output_format.value}: not offered by this command; use {names}")


def emit(output_format: OutputFormat, *sections: Section) -> None:
    """Print `sections` in `output_format` on stdout; a stdout that cannot be written (a full disk) stops the
    command with one line (exit 1)."""
    try:
        _emit(output_format, sections)
    except BrokenPipeError:
        raise  # the reader went away (`| head`): typer exits quietly
    except OSError as error:
        raise os_error(error, "standard output") from None


def _emit(output_format: OutputFormat, sections: tuple[Section, ...]) -> None:
    if output_format is OutputFormat.jsonl:
        out = sys.stdout.buffer
        for section in sections:
            for row in section.rows:
                record = {"section": section.key, **row} if len(sections) > 1 else row
                out.write(json_bytes(record) + b"\n")
        out.flush()
    elif output_format is OutputFormat.json:
        document = {section.key: list(section.rows) for section in sections}
        sys.stdout.buffer.write(json_bytes(document, indent=True) + b"\n")
        sys.stdout.flush()
    else:
        console = stdout_console()
        for section in sections:
            console.print(_table(section))


def _table(section: Section) -> Table:
    table = Table(title=section.title, title_justify="left")
    for column in section.columns:
        table.add_column(column.header or column.key, justify="right" if column.numeric else "left")
    for row in section.rows:
        table.add_row(
            *[
                column.text(row) if column.text else cell_text(row.get(column.key))
                for column in section.columns
            ]
        )
    return table
