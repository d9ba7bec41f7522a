"""Per-opportunity ages as of the run (scope `opportunity`, grain `to_date`)."""

from __future__ import annotations

import polars as pl

from kpi_engine.context import ComputeContext
from kpi_engine.facts.registry import Facts, fact
from kpi_engine.input_columns import OPPORTUNITY_VIEW, reads


def _days_until(later: pl.Expr, earlier: pl.Expr) -> pl.Expr:
    return (later - earlier).dt.total_days().cast(pl.Float64)


@fact(
    "opportunity_ages",
    scopes=("org", "opportunity"),
    reads=reads(OPPORTUNITY_VIEW, opportunities=("is_closed", "close_date", "id")),
)
def ages(ctx: ComputeContext, _facts: Facts) -> pl.LazyFrame:
    """days_open: as-of date − creation date while open, close date − creation date once closed."""
    as_of = pl.lit(ctx.as_of, dtype=pl.Date)
    end = pl.when(pl.col("is_closed")).then(pl.col("close_date")).otherwise(as_of)
    return ctx.opportunities_lazy.filter(pl.col("created_date") <= ctx.as_of).select(
        ctx.org_id,
        pl.col("id").alias("opportunity"),
        ctx.period_of(pl.col("created_date")).alias("period_start"),
        _days_until(end, pl.col("created_date")).alias("days_open"),
    )


@fact(
    "open_opportunity_stage_ages",
    scopes=("org", "opportunity"),
    reads=reads(
        OPPORTUNITY_VIEW,
        opportunities=("is_closed", "id"),
        stage_changes=("opportunity_id", "entered_at"),
    ),
)
def stage_ages(ctx: ComputeContext, _facts: Facts) -> pl.LazyFrame:
    """Open opportunities: days since their latest stage entry (their creation when there is no history)."""
    latest_entry = (
        ctx.dataset.stage_changes.lazy()
        .filter(ctx.local_date(pl.col("entered_at")) <= ctx.as_of)
        .group_by("opportunity_id")
        .agg(ctx.local_date(pl.col("entered_at")).max().alias("entered_date"))
    )
    return (
        ctx.opportunities_lazy.filter(~pl.col("is_closed") & (pl.col("created_date") <= ctx.as_of))
        .join(latest_entry, left_on="id", right_on="opportunity_id", how="left")
        .select(
            ctx.org_id,
            pl.col("id").alias("opportunity"),
            ctx.period_of(pl.col("created_date")).alias("period_start"),
            _days_until(pl.lit(ctx.as_of, dtype=pl.Date), pl.coalesce("entered_date", "created_date")).alias(
                "days_in_stage"
            ),
        )
    )
