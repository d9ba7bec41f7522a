"""Building a compute's facts in the order their declarations give, each once, freed when done.

The engine asks for the facts its KPIs name; `FactTables` adds the facts those build on
(`kpi_engine.facts.with_needs`), builds each after its needs and hands the builder exactly those
(`FactSpec.needs`), limits a per-period fact's rows to the compute's periods, and drops a fact as soon as
nothing still to be built or aggregated reads it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator

import polars as pl

from kpi_engine.context import ComputeContext
from kpi_engine.facts import FACTS, FactSpec, with_needs


class FactTables:
    def __init__(self, ctx: ComputeContext, wanted: Iterable[str]) -> None:
        self.ctx = ctx
        self.wanted = set(wanted)
        self.order = with_needs(sorted(self.wanted))
        # readers left per fact: facts that need it, plus the aggregation of a wanted one
        self._readers = Counter(n for name in self.order for n in FACTS[name].needs)
        self._built: dict[str, pl.DataFrame | pl.LazyFrame] = {}

    def __iter__(self) -> Iterator[tuple[FactSpec, pl.DataFrame | pl.LazyFrame]]:
        """(spec, frame) of each wanted fact, dependencies built first; a lazy fact's frame is its plan."""
        for name in self.order:
            spec = FACTS[name]
            frame = self._build(spec)
            for need in spec.needs:
                self._release(need)
            if self._readers[name] > 0:
                self._built[name] = frame
            if name in self.wanted:
                yield spec, frame
            del frame

    def _build(self, spec: FactSpec) -> pl.DataFrame | pl.LazyFrame:
        needs = {name: self._built[name] for name in spec.needs}
        built = spec.build(self.ctx, needs).lazy()  # type: ignore[arg-type]
        if spec.per_period:
            periods = self.ctx.periods["period_start"]
            built = built.filter(pl.col("period_start").is_between(periods.min(), periods.max()))
        return built if spec.lazy else built.collect()

    def _release(self, name: str) -> None:
        self._readers[name] -= 1
        if self._readers[name] <= 0:
            self._built.pop(name, None)
