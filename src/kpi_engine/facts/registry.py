"""The fact registry: each fact declares what it reads, what it builds on and which scopes it carries.

    @fact("rep_quota_attainment", reads=reads(QUOTA_READS), needs=("quotas", "opportunities_closed"),
          scopes=("org", "team", "rep"))
    def attainment(ctx: ComputeContext, facts: Facts) -> pl.LazyFrame: ...

- `reads`: the input columns per table the builder reads, including those of the context's prepared
  views it uses (`kpi_engine.input_columns.OPPORTUNITY_VIEW` etc.). The compute asks its source for the union
  of these over the facts it builds, and nothing else (`kpi_engine.columns.required_columns`).
- `needs`: the facts it builds on; the engine builds those first (in an order derived from these
  declarations) and hands them to the builder in `facts`. A builder reads no other fact.
- `scopes`: the scope columns its rows carry; a KPI may only ask for these (`catalog_errors`).
- `lazy=True` keeps the fact a LazyFrame end to end: the engine aggregates it with the streaming engine
  and never holds its rows (the activities fact: 10M rows at 1M opportunities).
- `per_period=False`: an intermediate without `period_start` (stage visits), not limited to the periods.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypeAlias

import polars as pl

from kpi_engine.input_columns import Columns

if TYPE_CHECKING:
    from kpi_engine.context import ComputeContext

Frame: TypeAlias = "pl.DataFrame | pl.LazyFrame"
Facts: TypeAlias = "Mapping[str, pl.DataFrame]"
FactBuilder: TypeAlias = "Callable[[ComputeContext, Facts], pl.DataFrame | pl.LazyFrame]"


@dataclass(frozen=True)
class FactSpec:
    name: str
    build: FactBuilder
    reads: Columns
    scopes: tuple[str, ...]
    needs: tuple[str, ...] = ()
    lazy: bool = False
    per_period: bool = True
    doc: str = field(default="", compare=False)


FACTS: dict[str, FactSpec] = {}


def fact(
    name: str,
    *,
    reads: Columns,
    scopes: Iterable[str],
    needs: Iterable[str] = (),
    lazy: bool = False,
    per_period: bool = True,
) -> Callable[[FactBuilder], FactBuilder]:
    """Register a fact builder under `name` (the name KPI definitions refer to) with its declarations."""

    def register(build: FactBuilder) -> FactBuilder:
        if name in FACTS:
            raise ValueError(f"fact {name!r} is registered twice")
        FACTS[name] = FactSpec(
            name,
            build,
            dict(reads),
            tuple(scopes),
            tuple(needs),
            lazy,
            per_period,
            (build.__doc__ or "").strip(),
        )
        return build

    return register


def with_needs(names: Iterable[str]) -> list[str]:
    """The facts `names` and every fact they build on, each after the facts it needs (a cycle or an
    unknown fact is an error naming it)."""
    ordered: dict[str, None] = {}
    visiting: list[str] = []

    def visit(name: str) -> None:
        if name in ordered:
            return
        if name in visiting:
            raise ValueError(f"facts need each other: {' -> '.join([*visiting, name])}")
        if name not in FACTS:
            raise ValueError(
                f"unknown fact {name!r}" + (f" (needed by {visiting[-1]!r})" if visiting else "")
            )
        visiting.append(name)
        for need in FACTS[name].needs:
            visit(need)
        visiting.pop()
        ordered[name] = None

    for name in names:
        visit(name)
    return list(ordered)
