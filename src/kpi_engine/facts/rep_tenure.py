"""Reps' ramp and tenure (KPIS.md, Team).

A rep is a live user. Active on day d: started_at ≤ d and (ended_at null or ended_at > d); a rep without
`started_at` is taken as active since before any period (tenure and ramp then unknown, so null).
"""

from __future__ import annotations

from datetime import date, timedelta

import polars as pl

from kpi_engine.facts.period_buckets import boundary_days, period_start_of

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
        "active_at_start": pl.Boolean(),
        "active_at_end": pl.Boolean(),
        "tenure_days": pl.Float64(),
    }
)


def live_reps(users: pl.DataFrame, org_id: str) -> pl.DataFrame:
    return users.filter(~pl.col("deleted").fill_null(False)).select(
        pl.col("id").alias("rep"), pl.lit(org_id).alias("org"), "team", "started_at", "ended_at"
    ).unique("rep")


def active_on(day: pl.Expr) -> pl.Expr:
    started = pl.col("started_at").is_null() | (pl.col("started_at") <= day)
    return started & (pl.col("ended_at").is_null() | (pl.col("ended_at") > day))


def _days(later: pl.Expr, earlier: pl.Expr) -> pl.Expr:
    return (later - earlier).dt.total_days().cast(pl.Float64)


def rep_ramps(
    users: pl.DataFrame, opportunities: pl.DataFrame, periods: pl.DataFrame, org_id: str
) -> pl.DataFrame:
    """One row per rep whose first win closed within the periods, in that win's period."""
    first_wins = (
        opportunities.lazy()
        .filter(
            ~pl.col("deleted").fill_null(False) & pl.col("is_won").fill_null(False) & pl.col("close_date").is_not_null()
        )
        .group_by("owner_id")
        .agg(pl.col("close_date").min().alias("first_win_date"))
    )
    return (
        live_reps(users, org_id)
        .lazy()
        .join(first_wins, left_on="rep", right_on="owner_id", how="inner")
        .with_columns(
            period_start_of(pl.col("first_win_date"), periods).alias("period_start"),
            _days(pl.col("first_win_date"), pl.col("started_at")).alias("ramp_days"),
        )
        .filter(pl.col("period_start").is_not_null())
        .select(list(REP_RAMP_SCHEMA))
        .collect()
        .cast(dict(REP_RAMP_SCHEMA))
    )


def rep_tenures(users: pl.DataFrame, periods: pl.DataFrame, as_of: date, org_id: str) -> pl.DataFrame:
    """Reps × periods in which they were active at start or end; tenure is measured on the period's last
    day (or the as-of day for the running period) and only for reps active then."""
    bounds = boundary_days(periods).select("period_start", "start_day", "end_day")
    measured_on = pl.min_horizontal(pl.col("end_day"), pl.lit(as_of))
    return (
        live_reps(users, org_id)
        .lazy()
        .join(bounds.lazy(), how="cross")
        .with_columns(
            active_on(pl.col("start_day")).alias("active_at_start"),
            active_on(pl.col("end_day")).alias("active_at_end"),
        )
        .filter(pl.col("active_at_start") | pl.col("active_at_end"))
        .with_columns(
            pl.when(pl.col("active_at_end"))
            .then(_days(measured_on, pl.col("started_at")))
            .alias("tenure_days")
        )
        .select(list(REP_TENURE_SCHEMA))
        .collect()
        .cast(dict(REP_TENURE_SCHEMA))
    )


def rep_tenure_to_date(users: pl.DataFrame, as_of: date, org_id: str) -> pl.DataFrame:
    """One row per rep: (ended_at or the as-of day) − started_at, for `to_date` values."""
    today = pl.lit(as_of)
    return (
        live_reps(users, org_id)
        .with_columns(
            pl.lit(as_of).alias("period_start"),
            pl.lit(as_of + timedelta(days=1)).alias("period_end"),
            _days(pl.min_horizontal(pl.col("ended_at").fill_null(today), today), pl.col("started_at")).alias(
                "tenure_days"
            ),
            active_on(today).alias("active_at_end"),
        )
        .select("period_start", "period_end", "rep", "org", "team", "active_at_end", "tenure_days")
    )
