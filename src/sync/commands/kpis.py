"""`crm-kpi kpis`: the catalog, and what the sources name that CRM data cannot give."""

from __future__ import annotations

from enum import Enum

import orjson
import typer
from rich.console import Console
from rich.table import Table

from kpi_engine.catalog import CATALOG, NOT_COMPUTABLE
from sync.cli import app


class CatalogFormat(str, Enum):
    table = "table"
    json = "json"


@app.command("kpis")
def kpis_command(
    output_format: CatalogFormat = typer.Option(CatalogFormat.table, "--format", help="table or json"),
) -> None:
    """List the KPI catalog: id, name, unit, definition and inputs of every KPI.

    Then the KPIs the source articles name that CRM data cannot give (NPS, market data, ...), with why.
    """
    entries = [k for k in CATALOG.values() if not k.hidden]
    if output_format is CatalogFormat.json:
        document = {
            "kpis": [
                {"id": k.id, "name": k.name, "unit": k.unit, "definition": k.definition, "inputs": list(k.inputs),
                 "scopes": list(k.scopes), "to_date": k.to_date,
                 "to_date_scopes": list(k.scopes_for(True)), "sources": k.sources}
                for k in entries
            ],
            "not_computable": [{"name": n.name, "sources": n.sources, "why": n.why} for n in NOT_COMPUTABLE],
        }
        typer.echo(orjson.dumps(document, option=orjson.OPT_INDENT_2).decode())
        return
    console = Console(width=200)
    table = Table("id", "name", "unit", "definition", "inputs", title="KPI catalog")
    for k in entries:
        table.add_row(k.id, k.name, k.unit, k.definition, ", ".join(k.inputs))
    console.print(table)
    missing = Table("name", "sources", "why not", title="Named in the sources, not computable from CRM data")
    for n in NOT_COMPUTABLE:
        missing.add_row(n.name, n.sources, n.why)
    console.print(missing)
