"""docs/kpis.md, generated from the catalog so the docs cannot drift: `python -m kpi_engine.docs`."""

from __future__ import annotations

from kpi_engine.catalog import NOT_COMPUTABLE, SECTIONS
from kpi_engine.catalog.model import DerivedKpi


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def render() -> str:
    lines = [
        "# KPI catalog",
        "",
        "Generated from `kpi_engine.catalog` by `make docs` (`python -m kpi_engine.docs`); "
        "do not edit by hand.",
        "Definitions and conventions: `shared/KPIS.md`. Scopes: every KPI comes per `org`, `team`, `rep` and",
        "`region` unless its row names others; `to_date` KPIs (or scopes) come once, as of the run.",
        "",
    ]
    for section, entries in SECTIONS.items():
        shown = [k for k in entries if not k.hidden]
        if not shown:
            continue
        lines += [
            f"## {section}",
            "",
            "| id | name | unit | definition | inputs | scopes | computed from |",
            "| --- | --- | --- | --- | --- | --- | --- |",
        ]
        for k in shown:
            origin = f"derived from {', '.join(k.needs)}" if isinstance(k, DerivedKpi) else f"fact `{k.fact}`"
            scopes = ", ".join(k.scopes) + (" (to_date)" if k.to_date else "")
            if k.to_date_scopes and not k.to_date:
                per_period = ", ".join(s for s in k.scopes if s not in k.to_date_scopes)
                scopes = f"{per_period} per period; {', '.join(k.scopes_for(True))} (to_date)"
            lines.append(
                f"| `{k.id}` | {_cell(k.name)} | {k.unit} | {_cell(k.definition)} | {', '.join(k.inputs)} | "
                f"{scopes} | {origin} |"
            )
        lines.append("")
    lines += [
        "## Named in the sources, not computable from CRM data",
        "",
        "| name | sources | why |",
        "| --- | --- | --- |",
    ]
    lines += [f"| {n.name} | {n.sources} | {_cell(n.why)} |" for n in NOT_COMPUTABLE]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(render(), end="")
