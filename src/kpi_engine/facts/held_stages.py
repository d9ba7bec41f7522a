"""The stage each opportunity held at the end of a day, and that stage's probability and forecast category.

KPIS.md (Conventions): probability and forecast category at a past period end come from the stage the
opportunity held at the end of that day — its latest stage entry on or before it (local date), with none
its current stage. While that is still its current stage (the held entry is its latest entry and names
its current stage, or there is no entry by then), the opportunity's own probability and forecast
category count (its own probability, else the stage's); otherwise the held stage's, from the stage
definitions (matched on pipeline and stage name, else on the name alone), and where the definitions
carry none, the opportunity's own. So a deal won in May counts at its March stage's odds in March.
"""

from __future__ import annotations

import polars as pl

from kpi_engine.context import ComputeContext
from kpi_engine.input_columns import Columns, reads

# What `with_held_stage` reads beyond the rows it is given.
HELD_STAGE_READS: Columns = reads(
    stage_changes=("opportunity_id", "stage", "entered_at"),
    stages=("pipeline", "stage", "probability", "forecast_category"),
)


def stage_definitions(stages: pl.LazyFrame) -> tuple[pl.LazyFrame, pl.LazyFrame]:
    """(by pipeline and stage, by stage name alone): `probability`, `forecast_category` of each stage.

    Two pipelines may give one stage name different odds, so the pair wins; a stage of no known pipeline
    takes the first definition of its name."""
    columns = [
        pl.col("probability").alias("stage_probability"),
        pl.col("forecast_category").alias("stage_category"),
    ]
    by_pair = (
        stages.filter(pl.col("pipeline").is_not_null())
        .unique(["pipeline", "stage"], keep="first", maintain_order=True)
        .select("pipeline", "stage", *columns)
    )
    by_name = stages.unique("stage", keep="first", maintain_order=True).select("stage", *columns)
    return by_pair, by_name


def with_stage_definition(rows: pl.LazyFrame, stages: pl.LazyFrame, stage: str) -> pl.LazyFrame:
    """`rows` with `stage_probability` and `stage_category` of the stage named in column `stage` (of the
    row's `pipeline`); the pair's values where it defines them, else the name's."""
    by_pair, by_name = stage_definitions(stages)
    return (
        rows.join(
            by_pair.rename({"stage": stage, "stage_probability": "pair_p", "stage_category": "pair_c"}),
            on=["pipeline", stage],
            how="left",
        )
        .join(
            by_name.rename({"stage": stage, "stage_probability": "name_p", "stage_category": "name_c"}),
            on=stage,
            how="left",
        )
        .with_columns(
            pl.coalesce("pair_p", "name_p").alias("stage_probability"),
            pl.coalesce("pair_c", "name_c").alias("stage_category"),
        )
        .drop("pair_p", "name_p", "pair_c", "name_c")
    )


def stage_entries(ctx: ComputeContext) -> pl.LazyFrame:
    """Stage entries (`opportunity`, `held_stage`, `entered_date`) sorted by entry time, for an as-of
    join on the local entry date: of several entries on one day the join takes the last (polars' backward
    join picks the last of equal keys), the stage held at the end of that day."""
    return (
        ctx.dataset.stage_changes.lazy()
        .filter(pl.col("entered_at").is_not_null())
        .sort("entered_at")
        .select(
            pl.col("opportunity_id").alias("opportunity"),
            pl.col("stage").alias("held_stage"),
            ctx.local_date(pl.col("entered_at")).alias("entered_date"),
        )
    )


def latest_entry_dates(ctx: ComputeContext) -> pl.LazyFrame:
    """Each opportunity's latest local entry date (`opportunity`, `latest_date`): a stage held on a day
    is still the current one when it was entered on that latest day."""
    return (
        ctx.dataset.stage_changes.lazy()
        .group_by(pl.col("opportunity_id").alias("opportunity"))
        .agg(ctx.local_date(pl.col("entered_at")).max().alias("latest_date"))
    )


def with_held_stage(rows: pl.LazyFrame, ctx: ComputeContext) -> pl.LazyFrame:
    """Rows of (`opportunity`, `period_end_day`, its current `pipeline`, `stage`, `probability`,
    `forecast_category`) with `held_probability` and `held_category` at the end of `period_end_day`."""
    held = (
        rows.sort("period_end_day")
        .join_asof(
            stage_entries(ctx),
            left_on="period_end_day",
            right_on="entered_date",
            by="opportunity",
            strategy="backward",
            check_sortedness=False,  # both sorted on the date above, so within each opportunity too
        )
        .join(latest_entry_dates(ctx), on="opportunity", how="left")
    )
    current = pl.col("entered_date").is_null() | (
        (pl.col("entered_date") == pl.col("latest_date")) & (pl.col("held_stage") == pl.col("stage"))
    ).fill_null(False)
    stages = ctx.dataset.stages.lazy()
    return (
        held.with_columns(
            pl.when(current).then(pl.col("stage")).otherwise(pl.col("held_stage")).alias("held_stage")
        )
        .pipe(with_stage_definition, stages, "held_stage")
        .with_columns(
            pl.when(current)
            .then(pl.coalesce("probability", "stage_probability"))
            .otherwise(pl.coalesce("stage_probability", "probability"))
            .alias("held_probability"),
            pl.when(current)
            .then(pl.col("forecast_category"))
            .otherwise(pl.coalesce("stage_category", "forecast_category"))
            .alias("held_category"),
        )
        .drop("entered_date", "latest_date", "stage_probability", "stage_category")
    )
