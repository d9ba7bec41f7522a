"""Reps' ramp and tenure (KPIS.md, Team).

Reps come as the engine context prepares them (`rep`, `team`, `started_at`, `ended_at`: live users, an
inactive user without an end date ended on its last change). Who is active at a period's start and end
is the engine's `rep_periods` fact; this module adds what it lacks: the first win and the tenure, as of
the run (a rep's own) and at each period's end (the team and org means). A rep without `started_at`
has an unknown ramp and tenure (null, skipped by the means).
"""

from __future__ import annotations

from datetime import date, timedelta

import polars as pl

from kpi_engine.context import ComputeContext
from kpi_engine.facts.period_buckets import period_start_of
from kpi_engine.facts.registry import Facts, fact
from kpi_engine.facts.rep_periods import active_on
from kpi_engine.input_columns import USER_VIEW, reads

REP_RAMP_SCHEMA = pl.Schema(
    {
        "period_start": pl.Date(),
        "rep": pl.String(),
        "org": pl.String(),
        "team": pl.String(),
        "first_win_date": pl.Date(),
        "ramp_days": pl.Float64(),
    }
)

REP_TENURE_SCHEMA = pl.Schema(
    {
        "period_start": pl.Date(),
        "rep": pl.String(),
        "org": pl.String(),
        "team": pl.String(),
        "active": pl.Boolean(),
        "tenure_days": pl.Float64(),
    }
)


def _days(later: pl.Expr, earlier: pl.Expr) -> pl.Expr:
    return (later - earlier).dt.total_days().cast(pl.Float64)


def rep_ramps(
    reps: pl.DataFrame, opportunities: pl.DataFrame | pl.LazyFrame, periods: pl.DataFrame, org_id: str
) -> pl.DataFrame:
    """One row per rep whose first win closed within the periods, in that win's period."""
    first_wins = (
        opportunities.lazy()
        .filter(
            ~pl.col("deleted").fill_null(False)
            & pl.col("is_won").fill_null(False)
            & pl.col("close_date").is_not_null()
        )
        .group_by("owner_id")
        .agg(pl.col("close_date").min().alias("first_win_date"))
    )
    return (
        reps.lazy()
        .join(first_wins, left_on="rep", right_on="owner_id", how="inner")
        .with_columns(
            pl.lit(org_id).alias("org"),
            period_start_of(pl.col("first_win_date"), periods).alias("period_start"),
            _days(pl.col("first_win_date"), pl.col("started_at")).alias("ramp_days"),
        )
        .filter(pl.col("period_start").is_not_null())
        .select(list(REP_RAMP_SCHEMA))
        .collect()
        .cast(REP_RAMP_SCHEMA)
    )


def rep_tenure_to_date(reps: pl.DataFrame, as_of: date, org_id: str) -> pl.DataFrame:
    """One row per rep: (ended_at or the as-of day) − started_at, as of the run.

    A rep who has left keeps a row with `team` and `org` null: the rep's own tenure is reported, but the
    team and org means are over reps active on the as-of day (the to-date period's end) only."""
    today = pl.lit(as_of)
    return (
        reps.lazy()
        .with_columns(
            pl.lit(as_of).alias("period_start"),
            active_on(today).alias("active"),
            _days(pl.min_horizontal(pl.col("ended_at").fill_null(today), today), pl.col("started_at")).alias(
                "tenure_days"
            ),
        )
        .with_columns(
            pl.when("active").then(pl.lit(org_id)).alias("org"),
            pl.when("active").then(pl.col("team")).alias("team"),
        )
        .select(list(REP_TENURE_SCHEMA))
        .collect()
        .cast(REP_TENURE_SCHEMA)
    )


@fact(
    "rep_ramps",
    scopes=("org", "team", "rep"),
    reads=reads(USER_VIEW, opportunities=("is_won", "close_date", "owner_id")),
)
def build_ramps(ctx: ComputeContext, _facts: Facts) -> pl.DataFrame:
    """Wins closed by the run only, as for every outcome KPI."""
    closed_by_run = ctx.dataset.opportunities.lazy().filter(pl.col("close_date") <= ctx.as_of)
    return rep_ramps(ctx.users, closed_by_run, ctx.periods, ctx.dataset.org_id)


def rep_tenure_by_period(reps: pl.DataFrame, periods: pl.DataFrame, as_of: date, org_id: str) -> pl.DataFrame:
    """One row per rep and period for the reps active at the period's end, with their tenure then.

    The period's end is its last day, or the as-of day while the period is still running (a tenure is
    never counted into the future): on that day d the rep is active (started_at ≤ d < ended_at, an
    unknown start counting as started) and the tenure is d − started_at (null without a start: skipped
    by the means)."""
    today = pl.lit(as_of)
    day = pl.min_horizontal(pl.col("period_end") - timedelta(days=1), today)
    return (
        reps.lazy()
        .join(periods.lazy().select("period_start", "period_end"), how="cross")
        .with_columns(day.alias("day"))
        .filter(active_on(pl.col("day")))
        .with_columns(
            pl.lit(True).alias("active"),
            pl.lit(org_id).alias("org"),
            _days(pl.col("day"), pl.col("started_at")).alias("tenure_days"),
        )
        .select(list(REP_TENURE_SCHEMA))
        .collect()
        .cast(REP_TENURE_SCHEMA)
    )


@fact("rep_tenure", scopes=("org", "team", "rep"), reads=USER_VIEW)
def build_tenure(ctx: ComputeContext, _facts: Facts) -> pl.DataFrame:
    """To date (grain `to_date`): every rep's tenure as of the run; per period: the reps active at each
    period's end (`rep_tenure_days` takes its rep scope from the first, team and org from the second)."""
    if ctx.grain == "to_date":
        return rep_tenure_to_date(ctx.users, ctx.as_of, ctx.dataset.org_id)
    return rep_tenure_by_period(ctx.users, ctx.periods, ctx.as_of, ctx.dataset.org_id)
