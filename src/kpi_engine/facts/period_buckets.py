"""Map a date column to the period that holds it, given the periods of a compute as a frame.

The facts of this package take the periods as a frame (`period_start`, `period_end`, start inclusive,
end exclusive, contiguous and sorted), so they work for any grain and fiscal calendar the engine
chooses, and can be tested without it. The lookup is a binary search on the column, not a loop per row.
"""

from __future__ import annotations

from datetime import timedelta

import polars as pl


def period_start_of(dates: pl.Expr, periods: pl.DataFrame) -> pl.Expr:
    """The `period_start` of the period holding each date; null outside the periods' range."""
    starts = periods["period_start"].sort()
    if starts.is_empty():
        return pl.lit(None, dtype=pl.Date)
    last_end = periods["period_end"].max()
    index = pl.lit(starts).search_sorted(dates, side="right").cast(pl.Int64) - 1
    inside = (index >= 0) & (dates < pl.lit(last_end))
    return pl.when(inside).then(pl.lit(starts).gather(index.clip(0, len(starts) - 1))).otherwise(None)


def boundary_days(periods: pl.DataFrame) -> pl.DataFrame:
    """Each period with the two days its state is read on: the last day before it and its own last day."""
    one_day = timedelta(days=1)
    return periods.select(
        "period_start",
        "period_end",
        (pl.col("period_start") - one_day).alias("start_day"),
        (pl.col("period_end") - one_day).alias("end_day"),
    )
