"""`crm-kpi install`: create the KPI fields, the snapshot object and the permissions, idempotently."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from sync.cli_errors import CliError, ExitCode
from sync.cli_output import Column, FormatOption, OutputFormat, Section, emit, note, warn
from sync.cli_settings import ConfigOption, InstanceOption, chosen_instances, settings_from

EXAMPLES = """\
Examples:

    crm-kpi install --config settings.toml --dry-run

    crm-kpi install --instance acme-sf
"""

ITEM_COLUMNS = (
    Column("instance"),
    Column("kind"),
    Column("name"),
    Column("state"),
    Column("note", text=lambda r: r["note"] or ""),
)


def install_command(
    config: ConfigOption = None,
    instance: InstanceOption = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show what exists and what would be created; create nothing.")
    ] = False,
    output_format: FormatOption = OutputFormat.table,
) -> None:
    """Create the KPI fields, the snapshot object and the permission set in each instance.

    Shows what already exists and what is created. Running it again creates nothing. What is created follows
    the [writeback] targets of the settings.
    """
    from sync.install import install_instances

    settings = settings_from(config)
    outcomes = install_instances(settings, chosen_instances(settings, instance), dry_run=dry_run)
    rows: list[dict[str, Any]] = []
    for outcome in outcomes:
        plan = outcome.before
        if plan is None:
            continue
        for item in plan.items:
            state = "exists" if item.exists else ("would create" if dry_run else "created")
            rows.append(
                {
                    "instance": outcome.instance,
                    "kind": item.kind,
                    "name": item.name,
                    "state": state,
                    "note": item.note,
                }
            )
    emit(
        output_format,
        Section("items", rows, ITEM_COLUMNS, title="install (dry run)" if dry_run else "install"),
    )
    for outcome in outcomes:
        for warning in outcome.before.warnings if outcome.before else ():
            warn(f"{outcome.instance}: {warning}")
        if outcome.before is not None and outcome.error is None:
            missing = len(outcome.before.to_create)
            verb = "would create" if dry_run else "created"
            present = len(outcome.before.items) - missing
            note(f"{outcome.instance}: {verb} {missing:,}, {present:,} already there")
    failed = [f"{o.instance}: {o.error}" for o in outcomes if o.error]
    if failed:
        raise CliError("; ".join(failed), ExitCode.FAILED)
