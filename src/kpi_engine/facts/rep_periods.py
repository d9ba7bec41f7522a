"""Reps × periods: who was active in, at the start of and at the end of each period.

Active on day d: started_at ≤ d (unknown start = always) and (no end, or ended_at > d).
Active in period [s, e): active on at least one of its days: started before e and not ended by s.
At period end: active on its last day (e − 1). At period start: active on the previous period's last day
(s − 1), so start(P) = end(P − 1) and movements reconcile.
"""

from __future__ import annotations

from datetime import timedelta

import polars as pl

from kpi_engine.context import ComputeContext
from kpi_engine.facts.registry import Facts, fact
from kpi_engine.input_columns import USER_VIEW


def active_on(day: pl.Expr) -> pl.Expr:
    """Active on `day` (the rule above), for the facts that judge reps on a day: this one and tenure."""
    started = pl.col("started_at").is_null() | (pl.col("started_at") <= day)
    not_ended = pl.col("ended_at").is_null() | (pl.col("ended_at") > day)
    return started & not_ended


@fact("rep_periods", scopes=("org", "team", "rep"), reads=USER_VIEW)
def build(ctx: ComputeContext, _facts: Facts) -> pl.DataFrame:
    """Columns: org, team, rep, period_start, period_end, active_in_period, active_at_start,
    active_at_end, started_at, ended_at."""
    one_day = timedelta(days=1)
    return (
        ctx.users.lazy()
        .join(ctx.periods.lazy().select("period_start", "period_end"), how="cross")
        .select(
            ctx.org_id,
            "team",
            "rep",
            "period_start",
            "period_end",
            "started_at",
            "ended_at",
            (
                (pl.col("started_at").is_null() | (pl.col("started_at") < pl.col("period_end")))
                & (pl.col("ended_at").is_null() | (pl.col("ended_at") > pl.col("period_start")))
            ).alias("active_in_period"),
            active_on(pl.col("period_start") - one_day).alias("active_at_start"),
            active_on(pl.col("period_end") - one_day).alias("active_at_end"),
        )
        .collect()
    )
