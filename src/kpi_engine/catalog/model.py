"""The declarative KPI entries: `Kpi` (a measure over a fact) and `DerivedKpi` (a formula over other KPIs).

Contract for catalog modules (one per KPIS.md section, each exporting `KPIS: list[Kpi | DerivedKpi]`):
- `Kpi(id, name, unit, definition, sources, fact=<fact name>, measure=<kpi_engine.measures ...>,
  inputs=(tables read), scopes=(...))`. `scopes` defaults to org, team, rep, region; the engine computes a
  scope only when the fact has a column of that name. `to_date=True` computes the KPI once, as of the run
  (grain `to_date`); `to_date_scopes=(...)` does so for those scopes only, and the KPI's other scopes
  come per period (e.g. a rep's tenure to date, a team's mean tenure per period). The fact then sees
  both contexts: at grain `to_date` its one period is the as-of day.
  `hidden=True` makes an intermediate that derived KPIs use but that is neither
  printed nor listed (e.g. `quota`, `reps_active`).
- `DerivedKpi(id, ..., needs=(kpi ids), formula=f)`: `f(t: Terms) -> Quotient | Value` where `t.value(id)`,
  `t.numerator(id)`, `t.denominator(id)` are the needed KPIs' columns at the same scope and period,
  `t.previous(expr, n)` is the value n periods earlier, `t.trailing(expr)` the sum over the trailing
  `velocity_window` periods ending with P, `t.months` the months in the period. `lookback` says how many
  earlier periods the formula reads (the engine computes them and trims them from the output).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import polars as pl

from kpi_engine.config import KpiConfig
from kpi_engine.measures import Measure

Unit = Literal["ratio", "currency", "count", "days", "hours", "months", "currency_per_day"]
DEFAULT_SCOPES: tuple[str, ...] = ("org", "team", "rep", "region")


@dataclass(frozen=True)
class Kpi:
    id: str
    name: str
    unit: Unit
    definition: str
    sources: str
    fact: str
    measure: Measure
    inputs: tuple[str, ...] = ("opportunities",)
    scopes: tuple[str, ...] = DEFAULT_SCOPES
    to_date: bool = False
    hidden: bool = False
    to_date_scopes: tuple[str, ...] = ()
    percent: bool = True
    """A `ratio` that reads as a percentage (a share, a rate); False for a multiple such as won / lost."""

    @property
    def additive(self) -> bool:
        return self.measure.additive

    @property
    def reports_numerator(self) -> bool:
        return self.measure.reports_numerator

    @property
    def reports_denominator(self) -> bool:
        return self.measure.reports_denominator

    def scopes_for(self, to_date: bool) -> tuple[str, ...]:
        return _scopes_for(self, to_date)


@dataclass(frozen=True)
class Quotient:
    """A derived value as numerator / denominator (null when the denominator is 0 or null)."""

    numerator: pl.Expr
    denominator: pl.Expr


@dataclass(frozen=True)
class Value:
    """A derived value with no meaningful numerator/denominator."""

    value: pl.Expr


@dataclass(frozen=True)
class Terms:
    """What a derived formula reads: the needed KPIs' columns, in one frame sorted by scope id, period."""

    config: KpiConfig
    grain: str

    def value(self, kpi: str) -> pl.Expr:
        return pl.col(f"{kpi}__value")

    def numerator(self, kpi: str) -> pl.Expr:
        return pl.col(f"{kpi}__num")

    def denominator(self, kpi: str) -> pl.Expr:
        return pl.col(f"{kpi}__den")

    def previous(self, expr: pl.Expr, n: int = 1) -> pl.Expr:
        return expr.shift(n).over("scope_id")

    def trailing(self, expr: pl.Expr, window: int | None = None) -> pl.Expr:
        size = window or self.config.velocity_window
        return expr.rolling_sum(size, min_samples=1).over("scope_id")

    @property
    def months(self) -> pl.Expr:
        """Months in the period (Float64)."""
        return ((pl.col("period_end").dt.year() - pl.col("period_start").dt.year()) * 12
                + pl.col("period_end").dt.month() - pl.col("period_start").dt.month()).cast(pl.Float64)

    @property
    def days(self) -> pl.Expr:
        """Days in the period (Float64)."""
        return (pl.col("period_end") - pl.col("period_start")).dt.total_days().cast(pl.Float64)


@dataclass(frozen=True)
class DerivedKpi:
    id: str
    name: str
    unit: Unit
    definition: str
    sources: str
    needs: tuple[str, ...]
    formula: Callable[[Terms], Quotient | Value]
    inputs: tuple[str, ...] = ("opportunities",)
    scopes: tuple[str, ...] = DEFAULT_SCOPES
    lookback: Callable[[KpiConfig], int] | int = 0
    to_date: bool = False
    hidden: bool = False
    to_date_scopes: tuple[str, ...] = ()
    percent: bool = True
    """A `ratio` that reads as a percentage (a share, a rate); False for a multiple such as LTV / CAC."""

    additive = False
    reports_numerator = True  # a Quotient's; null for a Value
    reports_denominator = True

    def scopes_for(self, to_date: bool) -> tuple[str, ...]:
        return _scopes_for(self, to_date)

    def lookback_periods(self, config: KpiConfig) -> int:
        return self.lookback(config) if callable(self.lookback) else self.lookback


AnyKpi = Kpi | DerivedKpi


def _scopes_for(kpi: Kpi | DerivedKpi, to_date: bool) -> tuple[str, ...]:
    """The KPI's scopes computed as of the run (`to_date`) or per period (not `to_date`)."""
    if kpi.to_date:
        return kpi.scopes if to_date else ()
    return tuple(s for s in kpi.scopes if (s in kpi.to_date_scopes) == to_date)


@dataclass(frozen=True)
class NotComputable:
    name: str
    sources: str
    why: str
