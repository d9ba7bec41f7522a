"""Leads by the period they were created in, with what has happened to them by the run (cohort facts).

Conversion and response are judged as of the run, not as of the period's end: a lead created in March
and converted in May counts as converted in March's cohort (KPIS.md, `lead_conversion_rate`). What is
dated after the run (a lead created, an activity scheduled, a conversion or a win dated later) has not
happened yet, as everywhere in the engine.
"""

from __future__ import annotations

from datetime import date

import polars as pl

from kpi_engine.config import KpiConfig
from kpi_engine.context import BASE_SCOPES, ComputeContext
from kpi_engine.facts.period_buckets import period_start_of
from kpi_engine.facts.registry import Facts, fact
from kpi_engine.input_columns import reads

LEAD_COHORT_SCHEMA = pl.Schema(
    {
        "period_start": pl.Date(),
        "lead": pl.String(),
        "org": pl.String(),
        "team": pl.String(),
        "rep": pl.String(),
        "region": pl.String(),
        "lead_source": pl.String(),
        "status": pl.String(),
        "converted": pl.Boolean(),
        "converted_won": pl.Boolean(),
        "first_activity_at": pl.Datetime("us", "UTC"),
        "response_hours": pl.Float64(),
    }
)

SECONDS_PER_HOUR = 3600.0


def _local_day(instant: pl.Expr, time_zone: str) -> pl.Expr:
    return instant.dt.convert_time_zone(time_zone).dt.date()


def _live(frame: pl.DataFrame | pl.LazyFrame) -> pl.LazyFrame:
    return frame.lazy().filter(~pl.col("deleted").fill_null(False))


def first_activities(
    activities: pl.DataFrame | pl.LazyFrame, time_zone: str, as_of: date, lead_ids: pl.DataType
) -> pl.LazyFrame:
    """The first activity time per lead, over live activities of any kind held by the run (local date);
    `lead_id` of the leads' id type (the activities are streamed with their ids as text)."""
    return (
        _live(activities)
        .filter(pl.col("lead_id").is_not_null() & (_local_day(pl.col("occurred_at"), time_zone) <= as_of))
        .group_by("lead_id")
        .agg(pl.col("occurred_at").min().alias("first_activity_at"))
        .with_columns(pl.col("lead_id").cast(lead_ids, strict=False))
    )


def won_opportunities(opportunities: pl.DataFrame, as_of: date) -> pl.LazyFrame:
    """`converted_opportunity_id`, `won` for live opportunities won by the run. Only won ones are joined
    to the leads: a third of the rows, and a miss means "not won"."""
    return (
        _live(opportunities)
        .filter(pl.col("is_won").fill_null(False) & ~(pl.col("close_date") > as_of).fill_null(False))
        .select(pl.col("id").alias("converted_opportunity_id"), pl.lit(True).alias("won"))
        .unique("converted_opportunity_id")
    )


def lead_cohorts(
    leads: pl.DataFrame,
    activities: pl.DataFrame | pl.LazyFrame,
    opportunities: pl.DataFrame,
    accounts: pl.DataFrame,
    users: pl.DataFrame,
    periods: pl.DataFrame,
    config: KpiConfig,
    org_id: str,
    *,
    as_of: date,
) -> pl.DataFrame:
    """One row per live lead created within the periods (columns of LEAD_COHORT_SCHEMA).

    An activity logged before the lead record was created (an imported lead) counts as an immediate
    response: its hours are clipped to 0 rather than going negative."""
    created_day = _local_day(pl.col("created_at"), config.time_zone)
    converted = (_local_day(pl.col("converted_at"), config.time_zone) <= as_of).fill_null(False)
    regions = (
        _live(accounts)
        .select(pl.col("id").alias("converted_account_id"), "region")
        .unique("converted_account_id")
    )
    teams = _live(users).select(pl.col("id").alias("owner_id"), "team").unique("owner_id")
    hours = (pl.col("first_activity_at") - pl.col("created_at")).dt.total_seconds() / SECONDS_PER_HOUR
    return (
        _live(leads)
        .with_columns(period_start_of(created_day, periods).alias("period_start"))
        .filter(pl.col("period_start").is_not_null() & (created_day <= as_of))
        .join(won_opportunities(opportunities, as_of), on="converted_opportunity_id", how="left")
        .join(regions, on="converted_account_id", how="left")
        .join(teams, on="owner_id", how="left")
        .join(
            first_activities(activities, config.time_zone, as_of, leads.collect_schema()["id"]),
            left_on="id",
            right_on="lead_id",
            how="left",
        )
        .select(
            "period_start",
            pl.col("id").alias("lead"),
            pl.lit(org_id).alias("org"),
            "team",
            pl.col("owner_id").alias("rep"),
            "region",
            "lead_source",
            "status",
            converted.alias("converted"),
            (converted & pl.col("won").fill_null(False)).alias("converted_won"),
            "first_activity_at",
            hours.clip(lower_bound=0.0).alias("response_hours"),
        )
        .collect()
        .cast(LEAD_COHORT_SCHEMA)
    )


@fact(
    "lead_cohorts",
    scopes=(*BASE_SCOPES, "lead_source", "status", "lead"),
    reads=reads(
        leads=(
            "created_at",
            "converted_at",
            "converted_opportunity_id",
            "converted_account_id",
            "owner_id",
            "id",
            "lead_source",
            "status",
        ),
        opportunities=("id", "is_won", "close_date"),
        accounts=("id", "region"),
        users=("id", "team"),
        activities=("lead_id", "occurred_at"),
    ),
)
def build(ctx: ComputeContext, _facts: Facts) -> pl.DataFrame:
    data = ctx.dataset
    return lead_cohorts(
        data.leads,
        data.activities,
        data.opportunities,
        data.accounts,
        data.users,
        ctx.periods,
        ctx.config,
        data.org_id,
        as_of=ctx.as_of,
    )
