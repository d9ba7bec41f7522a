"""Activities by the period holding `occurred_at` (local), with KPIS.md's `completed` rule applied.

`completed`: tasks by their status and meetings when held (the loaders set `completed` false for
cancelled and no-show meetings); calls and emails are completed when logged. Activities dated after the
as-of date (scheduled meetings) are not counted yet.
"""

from __future__ import annotations

import polars as pl

from kpi_engine.context import BASE_SCOPES, ComputeContext
from kpi_engine.facts.registry import Facts, fact
from kpi_engine.input_columns import ACTIVITY_KEYS_VIEW, reads
from kpi_engine.scope_keys import KEY_COLUMNS


@fact(
    "activities",
    lazy=True,
    scopes=BASE_SCOPES,
    reads=reads(
        ACTIVITY_KEYS_VIEW,
        activities=("kind", "completed", "direction", "subtype", "outcome", "opened", "duration_seconds"),
    ),
)
def build(ctx: ComputeContext, _facts: Facts) -> pl.LazyFrame:
    """Columns: the scope keys (rep_key, rep_unkeyed, region_key: the engine turns them into org, team,
    rep and region after aggregating), period_start, kind, completed, is_sent_email, is_demo, outcome,
    opened, duration_seconds. Lazy and keyed: 10 activities per opportunity are the biggest fact."""
    # An Enum makes the many kind comparisons integer compares over 10M rows.
    kind = pl.col("kind").cast(pl.Enum(["call", "email", "meeting", "task", "note"]))
    completed = (
        pl.when(kind.is_in(["call", "email"])).then(True).otherwise(pl.col("completed").fill_null(True))
    )
    demo_subtypes = [s.lower() for s in ctx.config.demo_subtypes]
    return ctx.activities_keyed.filter(pl.col("occurred_date") <= ctx.as_of).select(
        *KEY_COLUMNS,
        ctx.period_of(pl.col("occurred_date")).alias("period_start"),
        kind.alias("kind"),
        completed.alias("completed"),
        ((kind == "email") & (pl.col("direction") != "inbound").fill_null(True)).alias("is_sent_email"),
        (
            (kind == "meeting")
            & completed
            & pl.col("subtype").str.to_lowercase().is_in(demo_subtypes).fill_null(False)
        ).alias("is_demo"),
        "outcome",
        "opened",
        "duration_seconds",
    )
