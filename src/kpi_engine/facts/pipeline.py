"""Opportunities open at each period end, reconstructed from creation and close dates.

Open on day d: created on or before d and (open now, or closed after d). At a period's end (its last day)
that is: created before the period's end and (open now, or `close_date` ≥ the period's end). So an
opportunity is open at the end of every period from the one holding its creation date up to the one
before the period holding its close date; the rows are made by exploding that integer range of period
indexes, clamped to the periods computed. Open-now opportunities with forecast category `omitted` are
left out; closed ones are judged by their dates alone.
"""

from __future__ import annotations

import polars as pl

from kpi_engine.context import ComputeContext
from kpi_engine.facts.registry import fact
from kpi_engine.periods import index_start


def with_stage_probability(opportunities: pl.LazyFrame, ctx: ComputeContext) -> pl.LazyFrame:
    """`stage_probability`: the probability of the opportunity's stage, for deals without their own.

    Matched on pipeline and stage name (two pipelines may give one stage name different odds), else on
    the name alone (the first stage listed), as the stage visits match stages."""
    stages = ctx.dataset.stages.lazy().filter(pl.col("probability").is_not_null())
    by_pair = (
        stages.filter(pl.col("pipeline").is_not_null())
        .unique(["pipeline", "stage"], keep="first")
        .select("pipeline", "stage", pl.col("probability").alias("pair_probability"))
    )
    by_name = stages.unique("stage", keep="first").select(
        "stage", pl.col("probability").alias("name_probability")
    )
    return (
        opportunities.join(by_pair, on=["pipeline", "stage"], how="left")
        .join(by_name, on="stage", how="left")
        .with_columns(pl.coalesce("pair_probability", "name_probability").alias("stage_probability"))
    )


@fact("pipeline_at_period_end")
def build(ctx: ComputeContext) -> pl.LazyFrame:
    """Columns: org, team, rep, region, period_start, amount, weighted_amount, forecast_category."""
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
        .pipe(with_stage_probability, ctx)
        .select(
            "org",
            "team",
            "rep",
            "region",
            "amount",
            "forecast_category",
            (pl.col("amount") * pl.coalesce("probability", "stage_probability")).alias("weighted_amount"),
            first.alias("first_index"),
            last.alias("last_index"),
        )
        .filter(pl.col("first_index") <= pl.col("last_index"))
        .with_columns(
            pl.int_ranges("first_index", pl.col("last_index") + 1, dtype=pl.Int32).alias("period_index")
        )
        .explode("period_index")
        .with_columns(index_start(pl.col("period_index"), ctx.grain, fsm).alias("period_start"))
        .drop("first_index", "last_index")
    )
