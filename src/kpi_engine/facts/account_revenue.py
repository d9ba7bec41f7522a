"""Won amount per account over all time, for `account_lifetime_revenue` (to date).

Every won opportunity counts, recurring or not, closed by the run; an opportunity on an account that is
not a live account (deleted or never extracted) has no account to report on.
"""

from __future__ import annotations

import polars as pl

from kpi_engine.context import ComputeContext
from kpi_engine.facts.registry import Facts, fact
from kpi_engine.input_columns import ACCOUNT_VIEW, OPPORTUNITY_VIEW, reads


@fact(
    "account_revenue",
    scopes=("org", "account"),
    reads=reads(
        ACCOUNT_VIEW,
        OPPORTUNITY_VIEW,
        opportunities=("is_won", "close_date", "amount"),
    ),
)
def build(ctx: ComputeContext, _facts: Facts) -> pl.LazyFrame:
    """Columns: period_start (the as-of period), account, org, amount (of one won opportunity).

    Every live account also gets one row without an amount, so an account with no win reports 0."""
    live_accounts = ctx.dataset.accounts.lazy().select(pl.col("id").alias("account_id"))
    every_account = ctx.accounts.lazy().select(
        ctx.period_of(pl.col("created_date")).alias("period_start"),
        pl.col("id").alias("account"),
        "org",
        pl.lit(None, dtype=pl.Float64).alias("amount"),
    )
    won = (
        ctx.opportunities_lazy.filter(
            pl.col("is_won") & pl.col("close_date").is_not_null() & (pl.col("close_date") <= ctx.as_of)
        )
        .join(live_accounts, on="account_id", how="semi")
        .select(
            ctx.period_of(pl.col("close_date")).alias("period_start"),
            pl.col("account_id").alias("account"),
            "org",
            pl.col("amount").cast(pl.Float64),
        )
    )
    return pl.concat([won, every_account])
