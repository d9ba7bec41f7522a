"""Contract coverage (KPIS.md, Conventions): which days a won recurring opportunity pays for, at what MRR.

A won opportunity whose `type` is a recurring type covers [close_date, close_date + contract_months),
in calendar months clamped to the month's end (polars' `offset_by("Nmo")` clamps: Jan 31 + 1mo = Feb 28/29).
An account's MRR on a day is the sum over the contracts covering it; it is a customer when that is > 0.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import polars as pl

from kpi_engine.config import KpiConfig

CONTRACT_SCHEMA = pl.Schema(
    {
        "account_id": pl.String(),
        "opportunity_id": pl.String(),
        "cover_start": pl.Date(),
        "cover_end": pl.Date(),
        "mrr": pl.Float64(),
    }
)

# MRR is compared rounded to this many decimals where movements are classified (the same contracts
# summed in another order must not look like an expansion of 1e-12); it is reported unrounded.
MRR_DECIMALS = 6


def live_accounts(accounts: pl.DataFrame) -> pl.DataFrame:
    return accounts.filter(~pl.col("deleted").fill_null(False))


def contracts(
    opportunities: pl.DataFrame | pl.LazyFrame, accounts: pl.DataFrame, config: KpiConfig
) -> pl.DataFrame:
    """One row per covering contract. Opportunities whose account is not a live account (none, deleted, or
    not extracted) are left out: a customer is an account, and a deleted one never counts. The engine's
    context drops deleted accounts before facts see them, so "live" is all this can check."""
    months = pl.col("contract_months").fill_null(config.default_contract_months)
    known_accounts = live_accounts(accounts).select("id")
    return (
        opportunities.lazy()
        .filter(
            ~pl.col("deleted").fill_null(False)
            & pl.col("is_won").fill_null(False)
            & pl.col("type").is_in(list(config.recurring_types))
            & pl.col("close_date").is_not_null()
            & pl.col("account_id").is_not_null()
        )
        .join(known_accounts.lazy(), left_on="account_id", right_on="id", how="semi")
        .select(
            "account_id",
            pl.col("id").alias("opportunity_id"),
            pl.col("close_date").alias("cover_start"),
            pl.col("close_date").dt.offset_by(pl.format("{}mo", months)).alias("cover_end"),
            (pl.col("amount").fill_null(0.0) / months).alias("mrr"),
        )
        .collect()
        .cast(CONTRACT_SCHEMA)
    )


def mrr_on_days(contract_rows: pl.DataFrame, days: Iterable[date]) -> pl.DataFrame:
    """Account MRR on each day (`day`, `account_id`, `mrr`); only accounts with a covering contract.

    One filter per day (a compute has a few dozen boundary days at most), columnar within each."""
    frames = [
        contract_rows.lazy()
        .filter((pl.col("cover_start") <= day) & (pl.col("cover_end") > day))
        .group_by("account_id")
        .agg(pl.col("mrr").sum())
        .with_columns(pl.lit(day, dtype=pl.Date).alias("day"))
        for day in sorted(set(days))
    ]
    if not frames:
        return pl.DataFrame(schema={"account_id": pl.String(), "mrr": pl.Float64(), "day": pl.Date()})
    return pl.concat(pl.collect_all(frames))


def first_customer_dates(contract_rows: pl.DataFrame) -> pl.DataFrame:
    """The first day each account was a customer (`account_id`, `first_customer_date`).

    With non-negative amounts MRR first turns positive when the first contract with positive MRR
    starts."""
    return (
        contract_rows.filter(pl.col("mrr") > 0)
        .group_by("account_id")
        .agg(pl.col("cover_start").min().alias("first_customer_date"))
    )
