"""The fact registry: `@fact("name")` on a `build(ctx) -> DataFrame | LazyFrame` function."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, TypeAlias

import polars as pl

if TYPE_CHECKING:
    from kpi_engine.context import ComputeContext

FactBuilder: TypeAlias = "Callable[[ComputeContext], pl.DataFrame | pl.LazyFrame]"

FACTS: dict[str, Callable[..., pl.DataFrame | pl.LazyFrame]] = {}


def fact(name: str) -> Callable[[Callable[..., pl.DataFrame | pl.LazyFrame]], Callable[..., pl.DataFrame | pl.LazyFrame]]:
    """Register a fact builder under `name` (the name KPI definitions refer to)."""

    def register(build: Callable[..., pl.DataFrame | pl.LazyFrame]) -> Callable[..., pl.DataFrame | pl.LazyFrame]:
        if name in FACTS:
            raise ValueError(f"fact {name!r} is registered twice")
        FACTS[name] = build
        return build

    return register
