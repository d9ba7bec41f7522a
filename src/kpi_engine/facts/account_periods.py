"""Accounts × periods with their MRR at period start and end and the ChartMogul movement between them.

Start MRR is read on the last day before the period, end MRR on its last day, so start(P) = end(P−1) and
the movements reconcile: Σstart + new + expansion + reactivation − contraction − churned = Σend.
Only rows that matter are kept: the account had MRR at start or end, or became a customer in the period.
"""

from __future__ import annotations

import polars as pl

from kpi_engine.context import BASE_SCOPES, ComputeContext
from kpi_engine.facts.contract_coverage import (
    MRR_DECIMALS,
    contracts,
    first_customer_dates,
    live_accounts,
    mrr_on_days,
)
from kpi_engine.facts.period_buckets import boundary_days, period_start_of
from kpi_engine.facts.registry import Facts, fact
from kpi_engine.input_columns import reads

ACCOUNT_PERIOD_SCHEMA = pl.Schema(
    {
        "period_start": pl.Date(),
        "account": pl.String(),
        "start_mrr": pl.Float64(),
        "end_mrr": pl.Float64(),
        "first_customer_date": pl.Date(),
        "new_customer": pl.Boolean(),
        "movement": pl.String(),
        "org": pl.String(),
        "team": pl.String(),
        "rep": pl.String(),
        "region": pl.String(),
    }
)


def movement_expr() -> pl.Expr:
    """ChartMogul's rules; null when MRR did not move. Start and end are compared rounded to
    `MRR_DECIMALS` (float noise is no movement); the amounts reported stay unrounded."""
    s, e = pl.col("start_mrr").round(MRR_DECIMALS), pl.col("end_mrr").round(MRR_DECIMALS)
    customer_before = pl.col("first_customer_date") < pl.col("period_start")
    return (
        pl.when((s == 0) & (e > 0) & customer_before)
        .then(pl.lit("reactivation"))
        .when((s == 0) & (e > 0))
        .then(pl.lit("new"))
        .when((s > 0) & (e == 0))
        .then(pl.lit("churn"))
        .when((e > s) & (s > 0))
        .then(pl.lit("expansion"))
        .when((e < s) & (e > 0))
        .then(pl.lit("contraction"))
        .otherwise(pl.lit(None, dtype=pl.String))
    )


def account_scopes(accounts: pl.DataFrame, users: pl.DataFrame, org_id: str) -> pl.DataFrame:
    """An account's scope ids: team = its owner's team, rep = its owner, region = its region."""
    teams = (
        users.filter(~pl.col("deleted").fill_null(False))
        .select(pl.col("id").alias("owner_id"), "team")
        .unique("owner_id")
    )
    return (
        live_accounts(accounts)
        .select(pl.col("id").alias("account"), "owner_id", "region")
        .unique("account")
        .join(teams, on="owner_id", how="left")
        .select(
            pl.col("account").cast(pl.String),
            pl.lit(org_id).alias("org"),
            pl.col("team").cast(pl.String),
            pl.col("owner_id").alias("rep"),
            pl.col("region").cast(pl.String),
        )
    )


def account_periods(
    contract_rows: pl.DataFrame,
    accounts: pl.DataFrame,
    users: pl.DataFrame,
    periods: pl.DataFrame,
    org_id: str,
) -> pl.DataFrame:
    """The account × period fact (columns of ACCOUNT_PERIOD_SCHEMA)."""
    bounds = boundary_days(periods)
    snapshots = mrr_on_days(contract_rows, [*bounds["start_day"], *bounds["end_day"]])
    snap = snapshots.rename({"account_id": "account"})
    starts = bounds.join(snap, left_on="start_day", right_on="day").select(
        "period_start", "account", pl.col("mrr").alias("start_mrr")
    )
    ends = bounds.join(snap, left_on="end_day", right_on="day").select(
        "period_start", "account", pl.col("mrr").alias("end_mrr")
    )
    firsts = first_customer_dates(contract_rows).rename({"account_id": "account"})
    became = firsts.select(
        period_start_of(pl.col("first_customer_date"), periods).alias("period_start"), "account"
    ).drop_nulls("period_start")
    keys = pl.concat(
        [starts.select("period_start", "account"), ends.select("period_start", "account"), became]
    )
    rows = (
        keys.unique()
        .join(starts, on=["period_start", "account"], how="left")
        .join(ends, on=["period_start", "account"], how="left")
        .join(firsts, on="account", how="left")
        .join(periods.select("period_start", "period_end"), on="period_start", how="left")
        .with_columns(pl.col("start_mrr").fill_null(0.0), pl.col("end_mrr").fill_null(0.0))
        .with_columns(
            (
                (pl.col("first_customer_date") >= pl.col("period_start"))
                & (pl.col("first_customer_date") < pl.col("period_end"))
            )
            .fill_null(False)
            .alias("new_customer"),
            movement_expr().alias("movement"),
        )
        .join(account_scopes(accounts, users, org_id), on="account", how="left")
        .with_columns(pl.lit(org_id).alias("org"))
    )
    return rows.select(list(ACCOUNT_PERIOD_SCHEMA)).cast(ACCOUNT_PERIOD_SCHEMA)


@fact(
    "account_periods",
    scopes=(*BASE_SCOPES, "account"),
    reads=reads(
        opportunities=("is_won", "type", "close_date", "account_id", "id", "contract_months", "amount"),
        accounts=("id", "owner_id", "region"),
        users=("id", "team"),
    ),
)
def build(ctx: ComputeContext, _facts: Facts) -> pl.DataFrame:
    """Contracts from won opportunities closed by the run (a deal dated later has not started yet)."""
    data = ctx.dataset
    closed_by_run = data.opportunities.lazy().filter(pl.col("close_date") <= ctx.as_of)
    rows = contracts(closed_by_run, data.accounts, ctx.config)
    return account_periods(rows, data.accounts, data.users, ctx.periods, data.org_id)
