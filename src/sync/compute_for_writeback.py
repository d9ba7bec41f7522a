"""The KPI values a run writes back: only the KPIs, grains and periods the write-back targets ask for.

Computing the whole history at every grain would be most of a run's time for values nobody writes; the
engine takes `kpis` and `since`, and derives the look-back that P−1 and trailing-window KPIs need itself.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date

import polars as pl

from kpi_engine import compute, required_columns
from kpi_engine.config import KpiConfig
from kpi_engine.dataset import Dataset
from kpi_engine.periods import period_index_of, period_start_of_index
from sync.writeback.targets import WritebackSettings

ReadColumns = Callable[[Mapping[str, Sequence[str]]], Dataset]
"""Reads the named columns of the named tables (the store's `dataset(instance, columns)`)."""


def earliest_start(as_of: date, grain: str, periods: int, fiscal_start_month: int) -> date:
    """The start of the oldest of the `periods` latest periods of `grain` (the as-of period included)."""
    latest = period_index_of(as_of, grain, fiscal_start_month)
    return period_start_of_index(latest - (periods - 1), grain, fiscal_start_month)


def writeback_values(
    dataset: Dataset | ReadColumns,
    config: KpiConfig,
    writeback: WritebackSettings,
    as_of: date,
    *,
    snapshots: bool = True,
) -> pl.DataFrame:
    """`compute` output holding every value some target needs (each grain computed once).

    Given a column reader, it reads once, only the columns the wanted KPIs' facts declare."""
    wanted: dict[str, tuple[set[str], int]] = {}
    if snapshots:
        for target in writeback.snapshots:
            for period_grain in target.grains:
                kpis, periods = wanted.get(period_grain, (set(), 0))
                wanted[period_grain] = (kpis | set(target.kpis), max(periods, target.periods))
    for field_target in writeback.fields:
        kpis, periods = wanted.get(field_target.grain, (set(), 0))
        wanted[field_target.grain] = (kpis | set(field_target.kpis), max(periods, 1))
    if not isinstance(dataset, Dataset):
        every_kpi = sorted({kpi for kpis, _ in wanted.values() for kpi in kpis})
        dataset = dataset(required_columns(every_kpi))
    frames = []
    grain: str
    for grain, (kpis, periods) in sorted(wanted.items()):
        since = (
            None
            if grain == "to_date"
            else earliest_start(as_of, grain, periods, config.fiscal_year_start_month)
        )
        values = compute(dataset, config, grain=grain, as_of=as_of, since=since, kpis=sorted(kpis))
        frames.append(values.filter(pl.col("grain") == grain))
    return pl.concat(frames, how="vertical_relaxed") if frames else pl.DataFrame()
