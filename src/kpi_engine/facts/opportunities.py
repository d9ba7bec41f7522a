"""Opportunity facts by close date (outcomes) and by creation date (new pipeline)."""

from __future__ import annotations

import polars as pl

from kpi_engine.context import BASE_SCOPES, ComputeContext
from kpi_engine.facts.registry import Facts, fact
from kpi_engine.input_columns import OPPORTUNITY_VIEW, reads

SCOPE_COLUMNS = BASE_SCOPES


@fact(
    "opportunities_closed",
    scopes=(*BASE_SCOPES, "opportunity"),
    reads=reads(
        OPPORTUNITY_VIEW,
        opportunities=(
            "is_closed",
            "close_date",
            "id",
            "is_won",
            "amount",
            "type",
            "contract_months",
            "lead_source",
        ),
    ),
)
def closed(ctx: ComputeContext, _facts: Facts) -> pl.LazyFrame:
    """One row per closed opportunity, in the period holding its close date.

    Settings-dependent columns: `annualized_amount` (amount × 12 / contract months, the configured
    default when unset) and `is_referral` (lead source among the referral sources, any case).
    """
    referral = [s.lower() for s in ctx.config.referral_sources]
    months = pl.col("contract_months").fill_null(ctx.config.default_contract_months)
    return ctx.opportunities_lazy.filter(
        pl.col("is_closed") & pl.col("close_date").is_not_null() & (pl.col("close_date") <= ctx.as_of)
    ).select(
        *SCOPE_COLUMNS,
        ctx.period_of(pl.col("close_date")).alias("period_start"),
        pl.col("id").alias("opportunity"),
        pl.col("is_won").alias("won"),
        (~pl.col("is_won")).alias("lost"),
        "amount",
        "type",
        (pl.col("amount") * 12 / months).alias("annualized_amount"),
        (pl.col("close_date") - pl.col("created_date")).dt.total_days().cast(pl.Float64).alias("cycle_days"),
        pl.col("lead_source").str.to_lowercase().is_in(referral).fill_null(False).alias("is_referral"),
    )


@fact("opportunities_created", scopes=BASE_SCOPES, reads=reads(OPPORTUNITY_VIEW, opportunities=("amount",)))
def created(ctx: ComputeContext, _facts: Facts) -> pl.LazyFrame:
    """One row per opportunity, in the period holding its creation date (local)."""
    return ctx.opportunities_lazy.filter(pl.col("created_date") <= ctx.as_of).select(
        *SCOPE_COLUMNS, ctx.period_of(pl.col("created_date")).alias("period_start"), "amount"
    )
