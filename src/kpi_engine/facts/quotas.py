"""Quotas from the quotas file, per rep and period; and each quota-carrying rep's attainment.

A quota's `owner` is a user id or an email (any case); owners matching no user are left out. A quota whose
dates span several KPI periods is spread over them in proportion to the days of overlap ([start, end);
an end not after the start is the one start day, as for spend).
"""

from __future__ import annotations

import polars as pl

from kpi_engine.context import ComputeContext
from kpi_engine.facts.registry import Facts, fact
from kpi_engine.input_columns import USER_VIEW, reads


def resolved_quotas(ctx: ComputeContext) -> pl.LazyFrame:
    """Quotas with `rep` resolved from a user id or an email."""
    users = ctx.users.lazy()
    by_id = users.select("rep", pl.col("rep").alias("owner_key"))
    by_email = users.filter(pl.col("email").is_not_null()).select("rep", pl.col("email").alias("owner_key"))
    keys = pl.concat([by_id, by_email]).unique("owner_key", keep="first")
    quotas = ctx.dataset.quotas.lazy().with_columns(pl.col("owner").str.strip_chars().alias("owner_key"))
    direct = quotas.join(keys, on="owner_key", how="inner")
    via_email = (
        quotas.join(keys, on="owner_key", how="anti")
        .with_columns(pl.col("owner_key").str.to_lowercase())
        .join(keys, on="owner_key", how="inner")
    )
    return pl.concat([direct, via_email])


@fact(
    "quotas",
    scopes=("org", "team", "rep"),
    reads=reads(USER_VIEW, quotas=("owner", "period_start", "period_end", "amount")),
)
def build(ctx: ComputeContext, _facts: Facts) -> pl.LazyFrame:
    """Columns: org, team, rep, period_start, quota (the part of each quota falling in the period)."""
    teams = ctx.users.lazy().select("rep", "team")
    quota_days = (pl.col("quota_end") - pl.col("quota_start")).dt.total_days()
    overlap = (
        pl.min_horizontal("quota_end", "period_end") - pl.max_horizontal("quota_start", "period_start")
    ).dt.total_days()
    # A quota whose end is not after its start covers its one start day, as a spend row does: the schema
    # accepts it, so it must not vanish.
    quota_end = pl.max_horizontal(pl.col("period_end"), pl.col("period_start").dt.offset_by("1d"))
    return (
        resolved_quotas(ctx)
        .select("rep", pl.col("period_start").alias("quota_start"), quota_end.alias("quota_end"), "amount")
        .join(ctx.periods.lazy().select("period_start", "period_end"), how="cross")
        .with_columns(overlap.alias("overlap_days"))
        .filter(pl.col("overlap_days") > 0)
        .join(teams, on="rep", how="left")
        .select(
            ctx.org_id,
            "team",
            "rep",
            "period_start",
            (pl.col("amount") * pl.col("overlap_days") / quota_days).alias("quota"),
        )
    )


@fact(
    "rep_quota_attainment", scopes=("org", "team", "rep"), needs=("quotas", "opportunities_closed"), reads={}
)
def attainment(ctx: ComputeContext, facts: Facts) -> pl.LazyFrame:
    """One row per rep and period where the rep has a quota > 0: `at_quota` = bookings / quota ≥ 1."""
    quota = facts["quotas"].lazy().group_by("org", "team", "rep", "period_start").agg(pl.col("quota").sum())
    bookings = (
        facts["opportunities_closed"]
        .lazy()
        .filter(pl.col("won"))
        .group_by("rep", "period_start")
        .agg(pl.col("amount").fill_null(0).sum().alias("bookings"))
    )
    return (
        quota.filter(pl.col("quota") > 0)
        .join(bookings, on=["rep", "period_start"], how="left")
        .with_columns((pl.col("bookings").fill_null(0) / pl.col("quota") >= 1).alias("at_quota"))
    )
