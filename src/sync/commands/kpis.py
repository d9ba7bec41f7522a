"""`crm-kpi kpis`: the catalog, and what the sources name that CRM data cannot give."""

from __future__ import annotations

from kpi_engine.catalog import CATALOG, NOT_COMPUTABLE
from sync.cli_output import Column, FormatOption, OutputFormat, Section, emit
from sync.value_display import unit_label

EXAMPLES = """\
Examples:

    crm-kpi kpis

    crm-kpi kpis --format json | jq '.kpis[] | select(.scopes | index("stage"))'
"""


def catalog_rows() -> list[dict[str, object]]:
    """Every visible KPI with what a reader needs to use it: unit, definition, inputs and scopes."""
    return [
        {
            "id": k.id,
            "name": k.name,
            "unit": k.unit,
            "definition": k.definition,
            "inputs": list(k.inputs),
            "scopes": list(k.scopes),
            "to_date": k.to_date,
            "to_date_scopes": list(k.scopes_for(True)),
            "sources": k.sources,
        }
        for k in CATALOG.values()
        if not k.hidden
    ]


def kpis_command(output_format: FormatOption = OutputFormat.table) -> None:
    """List the KPI catalog: id, name, unit, scopes, definition and inputs of every KPI.

    Then the KPIs the source articles name that CRM data cannot give (NPS, market data, ...), with why.
    """
    kpis = Section(
        "kpis",
        catalog_rows(),
        (
            Column("id"),
            Column("name"),
            Column("unit", text=lambda row: unit_label(str(row["id"]), str(row["unit"]))),
            Column("scopes", text=lambda row: ", ".join(row["scopes"])),
            Column("definition"),
            Column("inputs", text=lambda row: ", ".join(row["inputs"])),
        ),
        "KPI catalog",
    )
    missing = Section(
        "not_computable",
        [{"name": n.name, "sources": n.sources, "why": n.why} for n in NOT_COMPUTABLE],
        (Column("name"), Column("sources"), Column("why", "why not")),
        "Named in the sources, not computable from CRM data",
    )
    emit(output_format, kpis, missing)
