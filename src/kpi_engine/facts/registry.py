"""The fact registry: `@fact("name")` on a `build(ctx) -> DataFrame | LazyFrame` function.

`@fact("name", lazy=True)` keeps the fact a LazyFrame end to end: the engine aggregates it with the
streaming engine and never holds its rows (the activities fact: 10M rows at 1M opportunities). Other
facts are collected once and cached, so facts that read each other build them once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, TypeAlias

import polars as pl

if TYPE_CHECKING:
    from kpi_engine.context import ComputeContext

FactBuilder: TypeAlias = "Callable[[ComputeContext], pl.DataFrame | pl.LazyFrame]"

FACTS: dict[str, FactBuilder] = {}
LAZY_FACTS: set[str] = set()


def fact(name: str, *, lazy: bool = False) -> Callable[[FactBuilder], FactBuilder]:
    """Register a fact builder under `name` (the name KPI definitions refer to); `lazy`: never collected."""

    def register(build: FactBuilder) -> FactBuilder:
        if name in FACTS:
            raise ValueError(f"fact {name!r} is registered twice")
        FACTS[name] = build
        if lazy:
            LAZY_FACTS.add(name)
        return build

    return register
