"""`sync --dry-run`'s picture of a plan: creates and updates per target, sample rows, storage and the
first-sync cap — drawn with rich from `PlanSummary` (the same data `--log-format json` emits)."""

from __future__ import annotations

from typing import Any

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from sync.writeback.plan import PlanSummary, TargetSummary, describe_storage

TARGET_TITLES = {
    "snapshot": "KPI snapshot records",
    "opportunity": "opportunity fields",
    "account": "account fields",
    "user": "user fields",
}


def render_plan(summary: PlanSummary) -> RenderableType:
    parts: list[RenderableType] = [_counts(summary)]
    for target in summary.targets:
        if target.samples:
            parts.append(_samples(target))
    parts.append(_footer(summary))
    return Group(*parts)


def _counts(summary: PlanSummary) -> Table:
    first = " (first sync)" if summary.first_sync else ""
    table = Table(
        title=f"Write-back plan for {summary.instance} ({summary.crm}){first}", title_justify="left"
    )
    for name in ("target", "create", "update", "unchanged", "retries"):
        table.add_column(name, justify="left" if name == "target" else "right")
    for target in summary.targets:
        table.add_row(
            TARGET_TITLES.get(target.target, target.target),
            f"{target.creates:,}",
            f"{target.updates:,}",
            f"{target.unchanged:,}",
            f"{target.retries:,}",
        )
    if not summary.targets:
        table.add_row("nothing to write", "0", "0", "0", "0")
    return table


def _samples(target: TargetSummary) -> Table:
    table = Table(
        title=f"sample {TARGET_TITLES.get(target.target, target.target)}",
        title_justify="left",
        show_edge=False,
    )
    table.add_column("key")
    table.add_column("new value", justify="right")
    table.add_column("was", justify="right")
    for sample in target.samples:
        if "value" in sample:
            table.add_row(str(sample["key"]), _number(sample["value"]), _number(sample["was"]))
            continue
        for kpi, change in sample.items():
            if kpi != "key":
                table.add_row(f"{sample['key']} {kpi}", _number(change["value"]), _number(change["was"]))
    return table


def _number(value: Any) -> str:
    if value is None:
        return "—"
    return f"{value:,.6g}" if isinstance(value, float) else str(value)


def _footer(summary: PlanSummary) -> RenderableType:
    lines = Text()
    storage = (
        ""
        if summary.storage_bytes is None
        else f", about {describe_storage(summary.storage_bytes)} of CRM data storage"
    )
    lines.append(f"{summary.records_to_create:,} records to create{storage}.")
    if summary.settled:
        lines.append(f"\n{summary.settled:,} earlier rejected writes no longer need writing.")
    if summary.blocked:
        lines.append(f"\nRefused: {summary.blocked}", style="bold red")
    return lines
