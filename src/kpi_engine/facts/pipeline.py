"""Opportunities open at each period end, reconstructed from creation and close dates.

Open on day d: created on or before d and (open now, or closed after d). At a period's end (its last day)
that is: created before the period's end and (open now, or `close_date` ≥ the period's end). So an
opportunity is open at the end of every period from the one holding its creation date up to the one
before the period holding its close date; the rows are made by exploding that integer range of period
indexes, clamped to the periods computed. Open-now opportunities with forecast category `omitted` are
left out; closed ones are judged by their dates alone.
"""

from __future__ import annotations

from datetime import timedelta

import polars as pl

from kpi_engine.context import BASE_SCOPES, ComputeContext
from kpi_engine.facts.held_stages import HELD_STAGE_READS, with_held_stage
from kpi_engine.facts.registry import Facts, fact
from kpi_engine.input_columns import OPPORTUNITY_VIEW, reads
from kpi_engine.periods import index_start


@fact(
    "pipeline_at_period_end",
    scopes=(*BASE_SCOPES, "opportunity"),
    reads=reads(
        OPPORTUNITY_VIEW,
        opportunities=(
            "is_closed",
            "close_date",
            "forecast_category",
            "id",
            "pipeline",
            "stage",
            "probability",
            "amount",
        ),
    ),
)
def build(ctx: ComputeContext, _facts: Facts) -> pl.LazyFrame:
    """Columns: org, team, rep, region, period_start, period_end_day (its last day), opportunity (id),
    pipeline, stage, probability, forecast_category (the deal's current ones), amount."""
    if ctx.grain == "to_date":
        raise ValueError("pipeline_at_period_end has no to_date form")
    open_now = ~pl.col("is_closed")
    first = pl.max_horizontal(ctx.period_index(pl.col("created_date")), pl.lit(ctx.first_index))
    last_open = (
        pl.when(open_now).then(pl.lit(ctx.last_index)).otherwise(ctx.period_index(pl.col("close_date")) - 1)
    )
    last = pl.min_horizontal(last_open, pl.lit(ctx.last_index))
    fsm = ctx.config.fiscal_year_start_month
    return (
        ctx.opportunities_lazy.filter(pl.col("created_date") <= ctx.as_of)
        .filter(~(open_now & (pl.col("forecast_category") == "omitted").fill_null(False)))
        .filter(open_now | pl.col("close_date").is_not_null())
        .select(
            "org",
            "team",
            "rep",
            "region",
            pl.col("id").alias("opportunity"),
            "pipeline",
            "stage",
            "probability",
            "forecast_category",
            "amount",
            first.alias("first_index"),
            last.alias("last_index"),
        )
        .filter(pl.col("first_index") <= pl.col("last_index"))
        .with_columns(
            pl.int_ranges("first_index", pl.col("last_index") + 1, dtype=pl.Int32).alias("period_index")
        )
        .explode("period_index")
        .with_columns(
            index_start(pl.col("period_index"), ctx.grain, fsm).alias("period_start"),
            (index_start(pl.col("period_index") + 1, ctx.grain, fsm) - timedelta(days=1)).alias(
                "period_end_day"
            ),
        )
        .drop("first_index", "last_index", "period_index")
    )


@fact(
    "weighted_pipeline_at_period_end",
    scopes=BASE_SCOPES,
    needs=("pipeline_at_period_end",),
    reads=HELD_STAGE_READS,
)
def weighted(ctx: ComputeContext, facts: Facts) -> pl.LazyFrame:
    """The open pipeline with the probability and forecast category held at each period end
    (`kpi_engine.facts.held_stages`): org, team, rep, region, period_start, amount, weighted_amount,
    forecast_category."""
    return (
        facts["pipeline_at_period_end"]
        .lazy()
        .pipe(with_held_stage, ctx)
        .select(
            "org",
            "team",
            "rep",
            "region",
            "period_start",
            "amount",
            (pl.col("amount") * pl.col("held_probability")).alias("weighted_amount"),
            pl.col("held_category").alias("forecast_category"),
        )
    )
