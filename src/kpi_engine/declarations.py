"""What the declarations of KPIs and facts imply: whether they fit together, and which input columns a
set of KPIs reads.

`catalog_errors` is the check that a KPI names a fact that exists and only scopes that fact carries (the
engine refuses to compute otherwise, and a test runs it over the whole catalog). `required_columns` is
what the compute asks its source for: the columns the KPIs' facts (and the facts those build on)
declare, the columns the context's scope views read, and `deleted` of every table read (deleted records
never count).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from kpi_engine.catalog import CATALOG
from kpi_engine.catalog.model import AnyKpi, DerivedKpi, Kpi
from kpi_engine.context import BASE_SCOPES
from kpi_engine.dataset import TABLE_SCHEMAS
from kpi_engine.facts import FACTS, with_needs
from kpi_engine.input_columns import REGION_VIEW, USER_VIEW, Columns, reads

# Deleted opportunities take their line items and stage changes with them.
PURGED_WITH_OPPORTUNITIES: tuple[str, ...] = ("line_items", "stage_changes")
# Where the first period starts when `since` is not given: read apart, not held (`engine._earliest_date`).
EARLIEST_DATE_COLUMNS: Columns = {
    "opportunities": ("created_at", "deleted"),
    "leads": ("created_at", "deleted"),
    "activities": ("occurred_at", "deleted"),
}


def catalog_errors(kpis: Iterable[AnyKpi]) -> list[str]:
    """One message per KPI that names an unknown fact or KPI, or a scope its fact does not carry."""
    errors = []
    for kpi in kpis:
        if isinstance(kpi, DerivedKpi):
            errors += [
                f"KPI {kpi.id!r} needs unknown KPI {need!r}" for need in kpi.needs if need not in CATALOG
            ]
            continue
        spec = FACTS.get(kpi.fact)
        if spec is None:
            errors.append(f"KPI {kpi.id!r} names fact {kpi.fact!r}, which does not exist")
            continue
        missing = [s for s in kpi.scopes if s not in spec.scopes]
        if missing:
            errors.append(
                f"KPI {kpi.id!r} asks for scope(s) {', '.join(missing)} that fact {kpi.fact!r} does "
                f"not carry (it carries {', '.join(spec.scopes) or 'none'})"
            )
    return errors


def facts_of(kpis: Iterable[AnyKpi]) -> list[str]:
    """The facts the KPIs (and the KPIs they derive from) are computed over, and the facts those need."""
    names: dict[str, None] = {}

    def visit(kpi: AnyKpi) -> None:
        if isinstance(kpi, Kpi):
            names[kpi.fact] = None
        else:
            for need in kpi.needs:
                visit(CATALOG[need])

    for kpi in kpis:
        visit(kpi)
    return with_needs(names)


def required_columns(kpis: Iterable[AnyKpi | str]) -> dict[str, list[str]]:
    """The input columns per table the compute of these KPIs (ids or entries) reads, in schema order."""
    entries = [CATALOG[k] if isinstance(k, str) else k for k in kpis]
    columns = fact_columns(facts_of(entries))
    if any(s in BASE_SCOPES and s != "org" for k in entries for s in k.scopes):
        columns = with_engine_columns(
            reads(columns, USER_VIEW, REGION_VIEW)
        )  # every rep, team, region: a row
    return columns


def fact_columns(names: Iterable[str]) -> dict[str, list[str]]:
    """The input columns building these facts (and those they need) reads, with the engine's own."""
    return with_engine_columns(reads(*(FACTS[name].reads for name in with_needs(names))))


def with_engine_columns(declared: Mapping[str, Sequence[str]]) -> dict[str, list[str]]:
    """`declared` plus what the engine reads itself: `deleted` of every table, and the opportunities'
    ids when their line items or stage changes are read (a deleted opportunity takes those with it)."""
    declared = reads(declared)
    if set(declared) & set(PURGED_WITH_OPPORTUNITIES):
        declared = reads(declared, opportunities=("id",))
    declared = reads(declared, {t: ("deleted",) for t in declared if "deleted" in TABLE_SCHEMAS[t]})
    return {table: [c for c in TABLE_SCHEMAS[table] if c in columns] for table, columns in declared.items()}
