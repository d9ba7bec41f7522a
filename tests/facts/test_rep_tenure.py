"""Reps' ramp (first win) and tenure as of the run, with reps who join or leave mid-period."""

from datetime import date

import polars as pl

from kpi_engine.dataset import conform
from kpi_engine.facts.rep_tenure import rep_ramps, rep_tenure_by_period, rep_tenure_to_date

QUARTERS = pl.DataFrame(
    {"period_start": [date(2024, 1, 1), date(2024, 4, 1)], "period_end": [date(2024, 4, 1), date(2024, 7, 1)]}
)
# the shape of the engine context's `users`: live reps
REPS = pl.DataFrame(
    [
        {"rep": "veteran", "team": "east", "started_at": date(2023, 1, 1), "ended_at": None},
        {"rep": "leaver", "team": "east", "started_at": date(2023, 6, 1), "ended_at": date(2024, 2, 15)},
        {"rep": "joiner", "team": "west", "started_at": date(2024, 2, 1), "ended_at": None},
        {"rep": "undated", "team": "west", "started_at": None, "ended_at": None},
    ],
    schema={"rep": pl.String, "team": pl.String, "started_at": pl.Date, "ended_at": pl.Date},
)


def test_ramp_is_days_to_the_first_win_in_its_period() -> None:
    opps = conform(
        "opportunities",
        pl.DataFrame(
            [
                {"id": "o1", "owner_id": "joiner", "is_won": True, "close_date": date(2024, 4, 11)},
                {"id": "o2", "owner_id": "joiner", "is_won": True, "close_date": date(2024, 5, 1)},
                {
                    "id": "o3",
                    "owner_id": "joiner",
                    "is_won": True,
                    "close_date": date(2024, 3, 1),
                    "deleted": True,
                },
                {"id": "o4", "owner_id": "veteran", "is_won": False, "close_date": date(2024, 1, 5)},
                {"id": "o5", "owner_id": "veteran", "is_won": True, "close_date": date(2022, 12, 1)},
                {"id": "o6", "owner_id": "undated", "is_won": True, "close_date": date(2024, 2, 1)},
            ]
        ),
    )
    got = (
        rep_ramps(REPS, opps, QUARTERS, "org1").sort("rep").select("rep", "period_start", "ramp_days").rows()
    )
    # joiner: first live win Apr 11 2024; Feb 1 -> Apr 11 = 29 (Feb, leap) + 31 (Mar) + 10 = 70 days.
    # undated: first win in Q1, ramp unknown. veteran's first win was in 2022, before the periods: no row.
    assert got == [("joiner", date(2024, 4, 1), 70.0), ("undated", date(2024, 1, 1), None)]


def test_tenure_to_date_stops_at_the_end_date_and_leavers_count_only_for_themselves() -> None:
    got = (
        rep_tenure_to_date(REPS, date(2024, 5, 10), "org1")
        .sort("rep")
        .select("rep", "org", "team", "tenure_days")
        .rows()
    )
    # joiner: Feb 1 -> May 10 = 29 (Feb 2024) + 31 (Mar) + 30 (Apr) + 9 = 99
    # leaver: Jun 1 2023 -> Feb 15 2024 = 30+31+31+30+31+30+31 (Jun..Dec) + 31 + 14 = 259
    # veteran: Jan 1 2023 -> May 10 2024 = 365 + 130 = 495
    assert got == [
        ("joiner", "org1", "west", 99.0),
        ("leaver", None, None, 259.0),
        ("undated", "org1", "west", None),
        ("veteran", "org1", "east", 495.0),
    ]


def test_tenure_by_period_reads_reps_active_at_the_period_end_never_past_the_run() -> None:
    got = (
        rep_tenure_by_period(REPS, QUARTERS, date(2024, 5, 10), "org1")
        .sort("period_start", "rep")
        .select("period_start", "rep", "team", "tenure_days")
        .rows()
    )
    # Q1 is read on Mar 31 2024: the leaver (left Feb 15) is gone; joiner Feb 1 -> Mar 31 = 29 + 30 = 59;
    # veteran Jan 1 2023 -> Mar 31 2024 = 365 + 31 + 29 + 30 = 455; undated is active, tenure unknown.
    # Q2 runs past the run's day, so it is read on May 10: joiner 99, veteran 495 (as to date).
    q1, q2 = date(2024, 1, 1), date(2024, 4, 1)
    assert got == [
        (q1, "joiner", "west", 59.0),
        (q1, "undated", "west", None),
        (q1, "veteran", "east", 455.0),
        (q2, "joiner", "west", 99.0),
        (q2, "undated", "west", None),
        (q2, "veteran", "east", 495.0),
    ]
