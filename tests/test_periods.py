from datetime import date, timedelta

import polars as pl
import pytest

from kpi_engine.periods import period_end_of, period_start, period_start_of, periods_between


@pytest.mark.parametrize(
    ("day", "grain", "fiscal_start", "expected"),
    [
        (date(2024, 5, 17), "month", 1, date(2024, 5, 1)),
        (date(2024, 5, 17), "quarter", 1, date(2024, 4, 1)),
        (date(2024, 5, 17), "year", 1, date(2024, 1, 1)),
        # fiscal year from February: Q1 = Feb-Apr, Q2 = May-Jul, ..., Q4 = Nov-Jan
        (date(2024, 5, 17), "quarter", 2, date(2024, 5, 1)),
        (date(2024, 1, 31), "quarter", 2, date(2023, 11, 1)),
        (date(2024, 1, 31), "year", 2, date(2023, 2, 1)),
        (date(2024, 2, 1), "year", 2, date(2024, 2, 1)),
        (date(2024, 12, 31), "year", 7, date(2024, 7, 1)),
    ],
)
def test_period_start_of(day: date, grain: str, fiscal_start: int, expected: date) -> None:
    assert period_start_of(day, grain, fiscal_start) == expected


def test_column_expression_matches_scalar_for_every_day_of_two_years() -> None:
    days = [date(2023, 1, 1) + timedelta(days=i) for i in range(731)]
    for grain in ("month", "quarter", "year"):
        for fiscal_start in (1, 2, 10):
            got = (
                pl.DataFrame({"d": days})
                .select(period_start(pl.col("d"), grain, fiscal_start).alias("p"))["p"]
                .to_list()
            )
            assert got == [period_start_of(d, grain, fiscal_start) for d in days]


def test_periods_between_is_contiguous_and_end_exclusive() -> None:
    table = periods_between(date(2023, 12, 15), date(2024, 5, 1), "quarter", 2)
    # Nov-Jan, Feb-Apr, May-Jul
    assert table["period_start"].to_list() == [date(2023, 11, 1), date(2024, 2, 1), date(2024, 5, 1)]
    assert table["period_end"].to_list() == [date(2024, 2, 1), date(2024, 5, 1), date(2024, 8, 1)]
    assert period_end_of(date(2024, 12, 1), "month") == date(2025, 1, 1)
    assert period_end_of(date(2024, 6, 30), "to_date") == date(2024, 7, 1)
