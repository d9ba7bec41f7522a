"""Lead cohorts: period of creation in the configured zone, conversion and response as of the run."""

from datetime import UTC, date, datetime

import polars as pl

from kpi_engine.config import KpiConfig
from kpi_engine.dataset import conform
from kpi_engine.facts.lead_cohorts import lead_cohorts

MONTHS = pl.DataFrame(
    {"period_start": [date(2024, 1, 1), date(2024, 2, 1)], "period_end": [date(2024, 2, 1), date(2024, 3, 1)]}
)
# A run after every date below: nothing here is dated after it.
AS_OF = date(2024, 12, 31)
USERS = conform("users", pl.DataFrame({"id": ["u1"], "team": ["east"]}))
ACCOUNTS = conform("accounts", pl.DataFrame({"id": ["acc"], "region": ["EMEA"]}))
OPPS = conform(
    "opportunities",
    pl.DataFrame(
        {"id": ["won", "open", "del"], "is_won": [True, False, True], "deleted": [False, False, True]}
    ),
)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


LEADS = conform(
    "leads",
    pl.DataFrame(
        [
            # created Jan 31 23:30 UTC: January in UTC, February in Berlin (UTC+1)
            {
                "id": "l1",
                "owner_id": "u1",
                "created_at": utc(2024, 1, 31, 23, 30),
                "lead_source": "web",
                "status": "converted",
                "converted_at": utc(2024, 2, 2),
                "converted_account_id": "acc",
                "converted_opportunity_id": "won",
            },
            {
                "id": "l2",
                "owner_id": "u1",
                "created_at": utc(2024, 1, 10),
                "lead_source": "event",
                "status": "converted",
                "converted_at": utc(2024, 1, 12),
                "converted_opportunity_id": "open",
            },
            {"id": "l3", "owner_id": "nobody", "created_at": utc(2024, 1, 5), "status": "new"},
            {"id": "l4", "created_at": utc(2024, 1, 5), "deleted": True},
            {
                "id": "l5",
                "created_at": utc(2024, 1, 6),
                "converted_at": utc(2024, 1, 7),
                "converted_opportunity_id": "del",
            },
        ]
    ),
)
ACTIVITIES = conform(
    "activities",
    pl.DataFrame(
        [
            {"id": "a1", "lead_id": "l1", "occurred_at": utc(2024, 2, 1, 5, 30)},  # 6 h after l1
            {"id": "a2", "lead_id": "l1", "occurred_at": utc(2024, 2, 3)},
            {"id": "a3", "lead_id": "l2", "occurred_at": utc(2024, 1, 9)},  # before creation: clipped to 0
            {"id": "a4", "lead_id": "l3", "occurred_at": utc(2024, 1, 5, 1), "deleted": True},
        ]
    ),
)


def cohorts(config: KpiConfig) -> pl.DataFrame:
    return lead_cohorts(LEADS, ACTIVITIES, OPPS, ACCOUNTS, USERS, MONTHS, config, "org1", as_of=AS_OF).sort(
        "lead"
    )


def test_cohort_rows() -> None:
    got = (
        cohorts(KpiConfig())
        .select(
            "lead", "period_start", "team", "rep", "region", "converted", "converted_won", "response_hours"
        )
        .rows()
    )
    assert got == [
        ("l1", date(2024, 1, 1), "east", "u1", "EMEA", True, True, 6.0),
        ("l2", date(2024, 1, 1), "east", "u1", None, True, False, 0.0),
        # l3's only activity is deleted: no response; its owner is no known user: no team
        ("l3", date(2024, 1, 1), None, "nobody", None, False, False, None),
        # l4 is deleted; l5's converted opportunity is deleted, so it is converted but not won
        ("l5", date(2024, 1, 1), None, None, None, True, False, None),
    ]


def test_period_follows_the_configured_time_zone() -> None:
    berlin = cohorts(KpiConfig(time_zone="Europe/Berlin"))
    assert berlin.filter(pl.col("lead") == "l1")["period_start"].item() == date(2024, 2, 1)


def test_leads_outside_the_periods_are_left_out() -> None:
    march = pl.DataFrame({"period_start": [date(2024, 3, 1)], "period_end": [date(2024, 4, 1)]})
    got = lead_cohorts(LEADS, ACTIVITIES, OPPS, ACCOUNTS, USERS, march, KpiConfig(), "org1", as_of=AS_OF)
    assert got.height == 0
