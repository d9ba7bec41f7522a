"""Line items of won opportunities, in the period holding the opportunity's close date."""

from __future__ import annotations

import polars as pl

from kpi_engine.context import BASE_SCOPES, ComputeContext
from kpi_engine.facts.registry import Facts, fact
from kpi_engine.input_columns import OPPORTUNITY_VIEW, reads


@fact(
    "line_items_won",
    scopes=(*BASE_SCOPES, "product"),
    reads=reads(
        OPPORTUNITY_VIEW,
        opportunities=("is_won", "close_date", "id"),
        line_items=("opportunity_id", "product_id", "product_name", "quantity", "total_price", "unit_price"),
    ),
)
def build(ctx: ComputeContext, _facts: Facts) -> pl.LazyFrame:
    """Columns: org, team, rep, region, product (id, else name), quantity, total_price.

    A line without a total is priced as quantity × unit price when both are known.
    """
    won = ctx.opportunities_lazy.filter(
        pl.col("is_won") & pl.col("close_date").is_not_null() & (pl.col("close_date") <= ctx.as_of)
    ).select(pl.col("id").alias("opportunity_id"), "org", "team", "rep", "region", "close_date")
    return (
        ctx.dataset.line_items.lazy()
        .join(won, on="opportunity_id", how="inner")
        .select(
            "org",
            "team",
            "rep",
            "region",
            ctx.period_of(pl.col("close_date")).alias("period_start"),
            pl.coalesce("product_id", "product_name").alias("product"),
            "quantity",
            pl.coalesce("total_price", pl.col("quantity") * pl.col("unit_price")).alias("total_price"),
        )
    )
