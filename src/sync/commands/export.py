"""`crm-kpi export`: an instance's stored records as the files of `compute --input`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from sync.cli_errors import os_error
from sync.cli_input import output_directory
from sync.cli_output import Column, FormatOption, OutputFormat, Section, emit, note
from sync.cli_settings import ConfigOption, chosen_instances, settings_from

EXAMPLES = """\
Examples:

    crm-kpi export --instance acme-sf --output exported/

    crm-kpi compute --input exported/ --format table
"""


def export_command(
    instance: Annotated[str, typer.Option("--instance", metavar="NAME", help="The instance to export.")],
    output: Annotated[
        Path,
        typer.Option(
            "--output",
            metavar="DIR",
            help="Directory for users.jsonl, opportunities.jsonl, ... (created when missing).",
        ),
    ],
    config: ConfigOption = None,
    output_format: FormatOption = OutputFormat.table,
) -> None:
    """Write an instance's stored records (deleted ones left out) as the JSON Lines files of `compute
    --input`."""
    from sync.store.store import Store

    settings = settings_from(config)
    (chosen,) = chosen_instances(settings, [instance])
    directory = output_directory("--output", output)
    try:
        with Store.open(settings.store.url) as store:
            counts = store.export(chosen.name, directory)
    except OSError as error:
        raise os_error(error, f"--output {output}") from None
    rows = [{"file": name, "records": count} for name, count in counts.items()]
    emit(
        output_format,
        Section(
            "files", rows, (Column("file"), Column("records", numeric=True)), title=f"exported {chosen.name}"
        ),
    )
    note(f"wrote {sum(counts.values()):,} records to {directory}")
