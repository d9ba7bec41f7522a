"""Fact tables: one row per thing a KPI counts, with `period_start`, scope columns and measure columns.

Contract (for every module in this package; each is imported automatically):
- Decorate `def build(ctx: ComputeContext, facts: Facts) -> pl.DataFrame | pl.LazyFrame` with
  `@fact("name", reads=..., scopes=..., needs=...)` (`kpi_engine.facts.registry`): the input columns it
  reads, the scope columns it carries, the facts it builds on (handed over in `facts`).
- The frame has a `period_start` (Date) column: the start of the period the row belongs to, from
  `ctx.period_of(...)`. Rows outside `ctx.periods` are dropped by the engine, so a fact need not filter.
- One String column per scope it declares, named after the scope: `org`, `team`, `rep`, `region`, or an
  extra scope (`stage`, `product`, `lead_source`, `status`, `account`, `opportunity`). A null scope value
  means "not attributable" and the row is left out of that scope (it still counts for `org`).
- Measure columns the KPI definitions read (flags, amounts, durations). Columns that depend on settings
  (demo subtypes, referral sources, default contract months) are computed here, so definitions stay
  static.
- Deleted records are already gone from `ctx`'s tables.
"""

from __future__ import annotations

import importlib
import pkgutil

from kpi_engine.facts.registry import FACTS, Facts, FactSpec, fact, with_needs

for _module in pkgutil.iter_modules(__path__):
    if _module.name != "registry":
        importlib.import_module(f"{__name__}.{_module.name}")

__all__ = ["FACTS", "FactSpec", "Facts", "fact", "with_needs"]
