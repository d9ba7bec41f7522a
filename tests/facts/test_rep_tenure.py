"""Reps' ramp (first win) and tenure, with reps who join or leave mid-period."""

from datetime import date

import polars as pl

from kpi_engine.dataset import conform
from kpi_engine.facts.rep_tenure import rep_ramps, rep_tenure_to_date, rep_tenures

QUARTERS = pl.DataFrame(
    {"period_start": [date(2024, 1, 1), date(2024, 4, 1)], "period_end": [date(2024, 4, 1), date(2024, 7, 1)]}
)
USERS = conform(
    "users",
    pl.DataFrame(
        [
            {"id": "veteran", "team": "east", "started_at": date(2023, 1, 1)},
            {"id": "leaver", "team": "east", "started_at": date(2023, 6, 1), "ended_at": date(2024, 2, 15)},
            {"id": "joiner", "team": "west", "started_at": date(2024, 2, 1)},
            {"id": "undated", "team": "west"},
            {"id": "ghost", "team": "west", "started_at": date(2020, 1, 1), "deleted": True},
        ]
    ),
)


def test_ramp_is_days_to_the_first_win_in_its_period() -> None:
    opps = conform(
        "opportunities",
        pl.DataFrame(
            [
                {"id": "o1", "owner_id": "joiner", "is_won": True, "close_date": date(2024, 4, 11)},
                {"id": "o2", "owner_id": "joiner", "is_won": True, "close_date": date(2024, 5, 1)},
                {"id": "o3", "owner_id": "joiner", "is_won": True, "close_date": date(2024, 3, 1), "deleted": True},
                {"id": "o4", "owner_id": "veteran", "is_won": False, "close_date": date(2024, 1, 5)},
                {"id": "o5", "owner_id": "veteran", "is_won": True, "close_date": date(2022, 12, 1)},
            ]
        ),
    )
    got = rep_ramps(USERS, opps, QUARTERS, "org1").select("rep", "period_start", "ramp_days").rows()
    # joiner: first live win Apr 11 2024; Feb 1 -> Apr 11 = 29 (Feb, leap) + 31 (Mar) + 10 = 70 days.
    # veteran's first win was in 2022, before the periods: no row.
    assert got == [("joiner", date(2024, 4, 1), 70.0)]


def test_active_at_start_and_end_and_tenure() -> None:
    got = (
        rep_tenures(USERS, QUARTERS, date(2024, 5, 10), "org1")
        .sort("rep", "period_start")
        .select("rep", "period_start", "active_at_start", "active_at_end", "tenure_days")
        .rows()
    )
    assert got == [
        # joiner: not active on Dec 31, active on Mar 31 (Feb 1 -> Mar 31 = 59 days), then until May 10 (as of)
        ("joiner", date(2024, 1, 1), False, True, 59.0),
        ("joiner", date(2024, 4, 1), True, True, 99.0),
        # leaver left Feb 15: active at Q1 start, not at its end; no Q2 row
        ("leaver", date(2024, 1, 1), True, False, None),
        # undated: active throughout, tenure unknown
        ("undated", date(2024, 1, 1), True, True, None),
        ("undated", date(2024, 4, 1), True, True, None),
        # veteran: Jan 1 2023 -> Mar 31 2024 = 365 + 90 = 455; -> May 10 2024 = 365 + 130 = 495
        ("veteran", date(2024, 1, 1), True, True, 455.0),
        ("veteran", date(2024, 4, 1), True, True, 495.0),
    ]


def test_tenure_to_date_stops_at_the_end_date() -> None:
    got = rep_tenure_to_date(USERS, date(2024, 5, 10), "org1").sort("rep").select("rep", "tenure_days").rows()
    # leaver: Jun 1 2023 -> Feb 15 2024 = 30+31+31+30+31+30+31 (Jun..Dec) + 31 + 14 = 259
    assert got == [("joiner", 99.0), ("leaver", 259.0), ("undated", None), ("veteran", 495.0)]
