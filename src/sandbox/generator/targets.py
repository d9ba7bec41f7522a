"""Inputs no CRM holds: quarterly quotas per rep and monthly sales and marketing spend.

Both are set from what the org actually books, so attainment lands around 60-110% and CAC is plausible.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl

from sandbox.generator.reference import SPEND_CATEGORIES
from sandbox.generator.spec import Window
from sandbox.generator.users import Staff

QUOTA_STRETCH = 1.15  # quotas sit a bit above what an average rep books


def _period_starts(window: Window, months: int) -> list[date]:
    """Starts of the calendar periods of `months` months overlapping the window, up to as_of's."""
    first = window.start
    month = (first.month - 1) // months * months + 1
    current = date(first.year, month, 1)
    starts = []
    while current <= window.as_of:
        starts.append(current)
        total = current.month - 1 + months
        current = date(current.year + total // 12, total % 12 + 1, 1)
    return starts


def _next(starts: list[date], months: int) -> list[date]:
    return [date(s.year + (s.month - 1 + months) // 12, (s.month - 1 + months) % 12 + 1, 1) for s in starts]


def quotas(rng: np.random.Generator, staff: Staff, user_ids: pl.Series, won_close_days: np.ndarray,
           won_amounts: np.ndarray, window: Window) -> pl.DataFrame:
    """One quota per rep and quarter in which the rep was employed.

    A sales plan follows the business: each quarter's quota is that quarter's booking pace (its bookings
    scaled to the whole quarter where the window or the as-of date cuts it) shared among the reps employed
    in it, stretched a little. A flat quota over a ramping org would give 35% attainment early and 200% late.
    """
    starts = _period_starts(window, 3)
    ends = _next(starts, 3)
    start_days = np.array([np.datetime64(s, "D").astype(np.int64) for s in starts])
    end_days = np.array([np.datetime64(e, "D").astype(np.int64) for e in ends])
    reps = staff.reps
    ended = np.where(staff.ended_day[reps] < 0, np.iinfo(np.int64).max, staff.ended_day[reps])
    employed = (staff.started_day[reps][:, None] < end_days[None, :]) & (ended[:, None] > start_days[None, :])
    quarter_of_win = np.searchsorted(start_days, won_close_days, side="right") - 1
    in_window = (quarter_of_win >= 0) & (won_close_days < end_days[-1])
    booked = np.bincount(quarter_of_win[in_window], weights=won_amounts[in_window], minlength=len(starts))
    first_day = window.start_us // 86_400_000_000
    as_of_day = np.datetime64(window.as_of, "D").astype(np.int64)
    elapsed = np.minimum(end_days, as_of_day) - np.maximum(start_days, first_day)
    pace = booked * (end_days - start_days) / np.maximum(1, elapsed)
    per_rep = pace / np.maximum(1, employed.sum(axis=0)) * QUOTA_STRETCH
    rep_row, quarter = np.nonzero(employed)
    amount = np.maximum(1_000.0, np.round(per_rep[quarter] * rng.uniform(0.85, 1.15, len(reps))[rep_row], -3))
    return pl.DataFrame({
        "owner": user_ids.gather(pl.Series(reps[rep_row], dtype=pl.UInt32)),
        "period_start": pl.Series(start_days[quarter].astype(np.int32)).cast(pl.Date),
        "period_end": pl.Series(end_days[quarter].astype(np.int32)).cast(pl.Date),
        "amount": amount,
    })


def spend(rng: np.random.Generator, bookings: float, window: Window) -> pl.DataFrame:
    """Monthly spend by category, about 45% of bookings, with month-to-month noise."""
    starts = _period_starts(window, 1)
    ends = _next(starts, 1)
    monthly = bookings / max(1, len(starts)) * 0.45
    rows = [
        (s, e, float(round(monthly * share * noise, 2)), category)
        for s, e, noise in zip(starts, ends, rng.uniform(0.85, 1.15, len(starts)), strict=True)
        for category, share in SPEND_CATEGORIES
    ]  # a couple of hundred rows: periods × categories, not records
    return pl.DataFrame(rows, schema={"period_start": pl.Date, "period_end": pl.Date, "amount": pl.Float64,
                                      "category": pl.String}, orient="row")
