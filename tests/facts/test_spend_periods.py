"""Spend spread over periods in proportion to the days it overlaps."""

from datetime import date

import polars as pl

from kpi_engine.dataset import conform
from kpi_engine.facts.spend_periods import spend_periods

MONTHS = pl.DataFrame(
    {
        "period_start": [date(2024, 1, 1), date(2024, 2, 1), date(2024, 3, 1)],
        "period_end": [date(2024, 2, 1), date(2024, 3, 1), date(2024, 4, 1)],
    }
)


def test_a_quarter_of_spend_spreads_by_days() -> None:
    spend = conform(
        "spend",
        pl.DataFrame(
            {
                "period_start": [date(2024, 1, 1), date(2024, 2, 1)],
                "period_end": [date(2024, 4, 1), date(2024, 2, 2)],
                "amount": [9100.0, 50.0],
            }
        ),
    )
    got = spend_periods(spend, MONTHS, "org1").rows()
    # Q1 2024 has 91 days: 100 a day -> Jan 31 days = 3100, Feb 29 = 2900 (+ the one-day 50), Mar 31 = 3100
    assert got == [
        (date(2024, 1, 1), "org1", 3100.0),
        (date(2024, 2, 1), "org1", 2950.0),
        (date(2024, 3, 1), "org1", 3100.0),
    ]


def test_spend_outside_the_periods_counts_only_for_its_overlap() -> None:
    spend = conform(
        "spend",
        pl.DataFrame(
            {"period_start": [date(2023, 12, 1)], "period_end": [date(2024, 1, 11)], "amount": [410.0]}
        ),
    )
    # 41 days, 10 of them in January: 410 * 10 / 41 = 100
    assert spend_periods(spend, MONTHS, "org1")["spend"].to_list() == [100.0]
