"""`crm-kpi schema`: the JSON Schema of the normalised records."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from kpi_engine.json_schema import record_schema, record_type_names, records_schema
from sync.cli_errors import CliError, os_error
from sync.cli_input import output_file
from sync.cli_output import note

EXAMPLES = """\
Examples:

    crm-kpi schema --record opportunity

    crm-kpi schema --output records.schema.json
"""


def schema_command(
    record: Annotated[
        str | None,
        typer.Option(
            "--record", "-r", help="Print one record type only, e.g. opportunity, stage_change, quota."
        ),
    ] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the schema to this file instead of stdout.")
    ] = None,
) -> None:
    """Print the JSON Schema of the normalised records (the shared schema).

    Use it to check the files of `crm-kpi compute --input DIR` before a run, or to generate types for a
    tool that writes or reads them.

    The document has one `$defs` entry per record type and `files`, mapping each input file (users.jsonl,
    ..., quotas.csv, spend.csv) to its record type. The field rules, and the lenient spellings the loader
    also accepts, are in docs/schema.md.
    """
    if record is None:
        document = records_schema()
    else:
        try:
            document = record_schema(record)
        except KeyError:
            known = ", ".join(record_type_names())
            raise CliError(f"--record {record!r}: unknown record type; choose one of {known}") from None
    text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    if output is None:
        typer.echo(text, nl=False)
        return
    try:
        output_file("--output", output).write_text(text, encoding="utf-8")
    except OSError as exc:
        raise os_error(exc, f"--output {output}") from None
    note(f"wrote the JSON Schema to {output}")
