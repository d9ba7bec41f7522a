"""Sales and marketing spend per period, for CAC.

A spend row covers [period_start, period_end) and is spread over the compute's periods in proportion to
the days it overlaps each (architecture.md, "External inputs spanning several periods"). A row whose end
is not after its start is treated as one day.
"""

from __future__ import annotations

import polars as pl

from kpi_engine.context import ComputeContext
from kpi_engine.facts.registry import Facts, fact
from kpi_engine.input_columns import reads

SPEND_PERIOD_SCHEMA = pl.Schema({"period_start": pl.Date(), "org": pl.String(), "spend": pl.Float64()})


def spend_periods(spend: pl.DataFrame, periods: pl.DataFrame, org_id: str) -> pl.DataFrame:
    """Spend per period (`period_start`, `org`, `spend`); periods without spend get no row."""
    row_days = pl.max_horizontal(
        (pl.col("spend_end") - pl.col("spend_start")).dt.total_days(), pl.lit(1)
    ).cast(pl.Float64)
    overlap_days = (
        (pl.min_horizontal("spend_end", "period_end") - pl.max_horizontal("spend_start", "period_start"))
        .dt.total_days()
        .clip(lower_bound=0)
        .cast(pl.Float64)
    )
    rows = spend.lazy().select(
        pl.col("period_start").alias("spend_start"),
        pl.max_horizontal(pl.col("period_end"), pl.col("period_start").dt.offset_by("1d")).alias("spend_end"),
        pl.col("amount").fill_null(0.0),
    )
    return (
        rows.join(periods.lazy().select("period_start", "period_end"), how="cross")
        .with_columns((pl.col("amount") * overlap_days / row_days).alias("spend"))
        .filter(overlap_days > 0)
        .group_by("period_start")
        .agg(pl.col("spend").sum())
        .with_columns(pl.lit(org_id).alias("org"))
        .select(list(SPEND_PERIOD_SCHEMA))
        .sort("period_start")
        .collect()
        .cast(SPEND_PERIOD_SCHEMA)
    )


@fact("spend_periods", scopes=("org",), reads=reads(spend=("period_start", "period_end", "amount")))
def build(ctx: ComputeContext, _facts: Facts) -> pl.DataFrame:
    return spend_periods(ctx.dataset.spend, ctx.periods, ctx.dataset.org_id)
