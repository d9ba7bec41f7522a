"""The report of what the local store holds: each instance's records, its quarantine and rejected writes."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from connectors.config import InstanceConfig
from kpi_engine.config import KpiConfig
from sync.report.from_dataset import report_from_datasets
from sync.report.quality import QuarantineRow, RejectedWrite, ReportInstance, ReportQuality
from sync.store.store import Store

FIELD_OBJECTS = {
    "salesforce": {"opportunity": "Opportunity", "account": "Account", "user": "User"},
    "hubspot": {"opportunity": "deals", "account": "companies", "user": "users"},
}
QUALITY_ROWS = 1_000


def rejected_writes(store: Store, instance: InstanceConfig) -> list[RejectedWrite]:
    rows = []
    for entry in store.ledger(instance.name).values():
        if entry.status != "failed":
            continue
        crm_object, crm_id = None, entry.crm_id
        field_object, _, record_id = entry.key.partition(":")
        if record_id and field_object in FIELD_OBJECTS[instance.crm]:
            crm_object, crm_id = FIELD_OBJECTS[instance.crm][field_object], record_id
        rows.append(
            RejectedWrite(
                instance.name,
                entry.key,
                entry.error_code or "",
                entry.message or "",
                crm_object=crm_object,
                crm_id=crm_id,
            )
        )
    return rows


def report_from_store(
    store: Store,
    instances: Sequence[InstanceConfig],
    kpi_config: KpiConfig,
    *,
    title: str | None = None,
    grain: str = "quarter",
    as_of: date | None = None,
) -> str:
    """One HTML page for `instances`, computed from the store (nothing is read from the CRMs)."""
    parts = []
    quarantined: list[QuarantineRow] = []
    rejected: list[RejectedWrite] = []
    for instance in instances:
        web_url = instance.url if instance.crm == "salesforce" else None
        parts.append(
            (ReportInstance(instance.name, instance.crm, web_url=web_url), store.dataset(instance.name))
        )
        quarantined += [
            QuarantineRow(instance.name, entry.table, entry.crm_id, entry.reason, crm_object=entry.crm_object)
            for entry in store.quarantined(instance.name, limit=QUALITY_ROWS + 1)
        ]
        rejected += rejected_writes(store, instance)
    names = ", ".join(instance.name for instance in instances)
    return report_from_datasets(
        parts,
        ReportQuality(quarantined, rejected),
        kpi_config,
        title=title or f"crm-kpi report: {names}",
        grain=grain,
        as_of=as_of,
    )
