"""The data-quality section's two tables: rows as the page shows them, each record linked to its CRM."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sync.report.links import record_url
from sync.report.quality import ReportInstance, ReportQuality

MAX_QUALITY_ROWS = 1000
"""Per table; past that the page says how many more there are (`crm-kpi status` lists them all)."""


@dataclass(frozen=True)
class QualityRow:
    """One row: the instance, cells before the record, the record (linked when known), cells after."""

    instance: str
    before: tuple[str, ...]
    record: str
    url: str | None
    after: tuple[str, ...]


@dataclass(frozen=True)
class QualityTable:
    key: str
    title: str
    note: str
    header: tuple[str, ...]
    rows: list[QualityRow]
    more: int
    empty: str


def quality_tables(quality: ReportQuality, instances: Sequence[ReportInstance]) -> list[QualityTable]:
    """The quarantined records and the rejected writes, at most MAX_QUALITY_ROWS rows each."""
    by_name = {i.name: i for i in instances}

    def link(name: str, table: str, crm_id: str | None, crm_object: str | None) -> str | None:
        instance = by_name.get(name)
        return record_url(instance, table, crm_id, crm_object) if instance else None

    quarantined = [
        QualityRow(
            q.instance,
            (q.table,),
            q.crm_id or "",
            link(q.instance, q.table, q.crm_id, q.crm_object),
            (q.reason,),
        )
        for q in quality.quarantined[:MAX_QUALITY_ROWS]
    ]
    rejected = [
        QualityRow(
            w.instance,
            (w.target_key,),
            w.crm_id or "",
            link(w.instance, "", w.crm_id, w.crm_object),
            (w.error_code, w.message, w.fix or ""),
        )
        for w in quality.rejected_writes[:MAX_QUALITY_ROWS]
    ]
    return [
        QualityTable(
            "quarantined",
            "Quarantined records",
            "Records that failed validation and were left out of the KPIs; fix them in the CRM and the next "
            "sync picks them up.",
            ("instance", "table", "record", "reason"),
            quarantined,
            max(len(quality.quarantined) - MAX_QUALITY_ROWS, 0),
            "No record was quarantined.",
        ),
        QualityTable(
            "rejected-writes",
            "Rejected writes",
            "Values the CRM refused to store; they are retried on every sync until they succeed or are no "
            "longer needed.",
            ("instance", "target", "record", "error", "message", "fix"),
            rejected,
            max(len(quality.rejected_writes) - MAX_QUALITY_ROWS, 0),
            "No write was rejected.",
        ),
    ]
