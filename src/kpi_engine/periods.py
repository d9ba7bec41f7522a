"""Fiscal periods: month, quarter and year on a calendar whose year starts in a configurable month.

A date is mapped to its period with integer month arithmetic on the column (a "month number" =
year * 12 + month - 1), so bucketing millions of rows is one vectorised expression, never a Python loop.
A period is identified by its *index*: the fiscal period count since year 0, which makes "the previous
period" and "the periods between two dates" plain integer arithmetic.

`to_date` is not a calendar grain: it is the single "as of the run" period [as_of, as_of + 1 day).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Literal, get_args

import polars as pl

Grain = Literal["month", "quarter", "year", "to_date"]
CalendarGrain = Literal["month", "quarter", "year"]
GRAINS: tuple[str, ...] = get_args(Grain)
CALENDAR_GRAINS: tuple[str, ...] = get_args(CalendarGrain)
GRAIN_MONTHS: dict[str, int] = {"month": 1, "quarter": 3, "year": 12}


def _months(grain: str) -> int:
    try:
        return GRAIN_MONTHS[grain]
    except KeyError:
        raise ValueError(
            f"grain {grain!r} has no calendar periods; use one of {', '.join(CALENDAR_GRAINS)}"
        ) from None


def period_index_of(day: date, grain: str, fiscal_start_month: int = 1) -> int:
    """The period index holding `day` (Python scalar twin of `period_index`)."""
    month_number = day.year * 12 + day.month - 1 - (fiscal_start_month - 1)
    return month_number // _months(grain)


def period_start_of_index(index: int, grain: str, fiscal_start_month: int = 1) -> date:
    month_number = index * _months(grain) + fiscal_start_month - 1
    return date(month_number // 12, month_number % 12 + 1, 1)


def period_start_of(day: date, grain: str, fiscal_start_month: int = 1) -> date:
    """The first day of the period holding `day`."""
    return period_start_of_index(period_index_of(day, grain, fiscal_start_month), grain, fiscal_start_month)


def period_end_of(start: date, grain: str) -> date:
    """The exclusive end of the period starting on `start`."""
    if grain == "to_date":
        return start + timedelta(days=1)
    month_number = start.year * 12 + start.month - 1 + _months(grain)
    return date(month_number // 12, month_number % 12 + 1, 1)


def period_index(day: pl.Expr, grain: str, fiscal_start_month: int = 1) -> pl.Expr:
    """Period index of a Date column (null stays null)."""
    month_number = (
        day.dt.year().cast(pl.Int32) * 12 + day.dt.month().cast(pl.Int32) - 1 - (fiscal_start_month - 1)
    )
    return month_number.floordiv(_months(grain))


def index_start(index: pl.Expr, grain: str, fiscal_start_month: int = 1) -> pl.Expr:
    """First day (Date) of the period with the given index."""
    month_number = index * _months(grain) + (fiscal_start_month - 1)
    return pl.date(month_number.floordiv(12), month_number.mod(12) + 1, 1)


def period_start(day: pl.Expr, grain: str, fiscal_start_month: int = 1) -> pl.Expr:
    """First day (Date) of the period holding a Date column."""
    return index_start(period_index(day, grain, fiscal_start_month), grain, fiscal_start_month)


def local_date(value: pl.Expr, time_zone: str) -> pl.Expr:
    """The calendar date of a UTC datetime in `time_zone` (a Date column passes through unchanged)."""
    return value.dt.convert_time_zone(time_zone).dt.date()


def periods_between(first: date, last: date, grain: str, fiscal_start_month: int = 1) -> pl.DataFrame:
    """Periods from the one holding `first` to the one holding `last`, inclusive: sorted and contiguous.

    Columns: `period_index` (Int32), `period_start`, `period_end` (Date; end exclusive).
    """
    if grain == "to_date":
        return pl.DataFrame(
            {"period_index": [0], "period_start": [last], "period_end": [last + timedelta(days=1)]},
            schema={"period_index": pl.Int32, "period_start": pl.Date, "period_end": pl.Date},
        )
    lo = period_index_of(first, grain, fiscal_start_month)
    hi = period_index_of(last, grain, fiscal_start_month)
    indexes = list(range(lo, max(lo, hi) + 1))
    starts = [period_start_of_index(i, grain, fiscal_start_month) for i in indexes]
    return pl.DataFrame(
        {
            "period_index": indexes,
            "period_start": starts,
            "period_end": [period_end_of(s, grain) for s in starts],
        },
        schema={"period_index": pl.Int32, "period_start": pl.Date, "period_end": pl.Date},
    )
