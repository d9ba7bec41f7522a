"""The KPI catalog: one module per section of shared/KPIS.md, assembled into `CATALOG` (id → entry).

Each section module exports `KPIS: list[Kpi | DerivedKpi]`; `not_computable` lists what the sources name
but CRM data cannot give. Ids are a contract (shared/KPIS.md): never rename.
"""

from __future__ import annotations

from kpi_engine.catalog import activities, customers, leads, outcomes, pipeline, team
from kpi_engine.catalog.model import AnyKpi, DerivedKpi, Kpi, NotComputable, Quotient, Terms, Value
from kpi_engine.catalog.not_computable import NOT_COMPUTABLE

SECTIONS: dict[str, list[AnyKpi]] = {
    "Outcomes": outcomes.KPIS,
    "Pipeline and funnel": pipeline.KPIS,
    "Activities": activities.KPIS,
    "Leads": leads.KPIS,
    "Customers and revenue": customers.KPIS,
    "Team": team.KPIS,
}


def _assemble() -> dict[str, AnyKpi]:
    catalog: dict[str, AnyKpi] = {}
    for entries in SECTIONS.values():
        for kpi in entries:
            if kpi.id in catalog:
                raise ValueError(f"KPI id {kpi.id!r} is defined twice")
            catalog[kpi.id] = kpi
    return catalog


CATALOG: dict[str, AnyKpi] = _assemble()

__all__ = ["CATALOG", "NOT_COMPUTABLE", "SECTIONS", "AnyKpi", "DerivedKpi", "Kpi", "NotComputable",
           "Quotient",
           "Terms", "Value"]
