"""Stage visits from stage history: each entry into a stage and when the next entry ended it.

Stage order comes from the stages table (matched on pipeline and stage name, else on the name alone).
Closed-lost stages never count as progress, so a deal lost from "Proposal" has not "entered a stage of
higher order". Visits of closed stages are not reported: a stage KPI describes the open funnel.
All of this is window functions over the history sorted by opportunity and entry time.
"""

from __future__ import annotations

import polars as pl

from kpi_engine.context import ComputeContext
from kpi_engine.facts.registry import Facts, fact
from kpi_engine.input_columns import reads


@fact(
    "stage_visits",
    scopes=(),
    per_period=False,
    reads=reads(
        opportunities=("id", "pipeline", "is_won"),
        stages=("pipeline", "stage", "order", "is_closed", "is_won"),
        stage_changes=("opportunity_id", "stage", "entered_at"),
    ),
)
def stage_visits(ctx: ComputeContext, _facts: Facts) -> pl.LazyFrame:
    """One row per stage entry: opportunity_key, stage, entered_at, next_entered_at, stage_closed,
    progressed."""
    stages = ctx.dataset.stages.lazy().select(
        "pipeline",
        "stage",
        "order",
        pl.col("is_closed").alias("stage_closed"),
        pl.col("is_won").alias("stage_won"),
    )
    by_pair = stages.filter(pl.col("pipeline").is_not_null()).unique(["pipeline", "stage"], keep="first")
    by_name = stages.unique("stage", keep="first").drop("pipeline")
    # An integer key per opportunity: sorting and windowing on it is far cheaper than on string ids.
    # (The plain table, not `ctx.opportunities_lazy`: no scope column is needed, so no joins for them.)
    opportunities = (
        ctx.dataset.opportunities.lazy()
        .select(pl.col("id").alias("opportunity_id"), "pipeline", "is_won")
        .with_row_index("opportunity_key")
    )
    pair_cols = {c: f"{c}_p" for c in ("order", "stage_closed", "stage_won")}
    visits = (
        ctx.dataset.stage_changes.lazy()
        .select("opportunity_id", "stage", "entered_at")
        .join(opportunities, on="opportunity_id", how="inner")
        .join(by_pair.rename(pair_cols), on=["pipeline", "stage"], how="left")
        .join(by_name, on="stage", how="left")
        .with_columns(pl.coalesce(f"{c}_p", c).alias(c) for c in pair_cols)
        .sort("opportunity_key", "entered_at", "order", nulls_last=True)
        # A history row that repeats the stage the deal is already in (Salesforce writes one whenever the
        # amount, probability or close date change) is not a new visit: the visit runs from the first entry.
        .filter(
            ~(
                (pl.col("opportunity_key").shift(1) == pl.col("opportunity_key"))
                & (pl.col("stage").shift(1) == pl.col("stage"))
            ).fill_null(False)
        )
    )
    lost_stage = pl.col("stage_closed").fill_null(False) & ~pl.col("stage_won").fill_null(False)
    # -1: a lost stage (or one of unknown order) is never progress.
    progress_order = pl.when(lost_stage).then(-1).otherwise(pl.col("order").fill_null(-1))
    # Rows are sorted by opportunity, so "the next entry of the same opportunity" is a plain shift.
    same_next = pl.col("opportunity_key").shift(-1) == pl.col("opportunity_key")
    return visits.with_columns(
        pl.when(same_next).then(pl.col("entered_at").shift(-1)).alias("next_entered_at"),
        # The highest progress order among the entries after this one (reverse running max).
        progress_order.shift(-1).cum_max(reverse=True).over("opportunity_key").alias("later_best_order"),
    ).select(
        "opportunity_key",
        "stage",
        "entered_at",
        "next_entered_at",
        "stage_closed",
        ((pl.col("later_best_order") > pl.col("order")).fill_null(False) | pl.col("is_won")).alias(
            "progressed"
        ),
    )  # only what the facts read: this frame is held (4 stage changes per opportunity)


def _open_stage() -> pl.Expr:
    return ~pl.col("stage_closed").fill_null(False)


@fact("stage_entries", scopes=("org", "stage"), needs=("stage_visits",), reads={})
def entries(ctx: ComputeContext, facts: Facts) -> pl.LazyFrame:
    """One row per opportunity and open stage it entered in a period (its first entry there)."""
    return (
        facts["stage_visits"]
        .lazy()
        .filter(_open_stage())
        .with_columns(ctx.period_of(ctx.local_date(pl.col("entered_at"))).alias("period_start"))
        .filter(ctx.local_date(pl.col("entered_at")) <= ctx.as_of)
        .unique(["opportunity_key", "stage", "period_start"], keep="first", maintain_order=True)
        .select(ctx.org_id, "stage", "period_start", "progressed")
    )


@fact("stage_exits", scopes=("org", "stage"), needs=("stage_visits",), reads={})
def exits(ctx: ComputeContext, facts: Facts) -> pl.LazyFrame:
    """One row per visit of an open stage that ended (the next entry), in the period it ended."""
    exit_date = ctx.local_date(pl.col("next_entered_at"))
    return (
        facts["stage_visits"]
        .lazy()
        .filter(_open_stage() & pl.col("next_entered_at").is_not_null())
        .filter(exit_date <= ctx.as_of)
        .select(
            ctx.org_id,
            "stage",
            ctx.period_of(exit_date).alias("period_start"),
            ((pl.col("next_entered_at") - pl.col("entered_at")).dt.total_seconds() / 86400).alias(
                "duration_days"
            ),
        )
    )
