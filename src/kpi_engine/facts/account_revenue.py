"""Won amount per account over all time, for `account_lifetime_revenue` (to date).

Every won opportunity counts, recurring or not, closed by the run; an opportunity on an account that is
not a live account (deleted or never extracted) has no account to report on.
"""

from __future__ import annotations

import polars as pl

from kpi_engine.context import ComputeContext
from kpi_engine.facts.registry import fact


@fact("account_revenue")
def build(ctx: ComputeContext) -> pl.LazyFrame:
    """Columns: period_start (the as-of period), account, org, amount (of one won opportunity)."""
    live_accounts = ctx.dataset.accounts.lazy().select(pl.col("id").alias("account_id"))
    return (
        ctx.opportunities.lazy()
        .filter(pl.col("is_won") & pl.col("close_date").is_not_null() & (pl.col("close_date") <= ctx.as_of))
        .join(live_accounts, on="account_id", how="semi")
        .select(
            ctx.period_of(pl.col("close_date")).alias("period_start"),
            pl.col("account_id").alias("account"),
            "org",
            "amount",
        )
    )
