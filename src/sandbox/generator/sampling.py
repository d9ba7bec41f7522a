"""Column-wise sampling primitives shared by the table generators."""

from __future__ import annotations

import zlib

import numpy as np
import polars as pl


def stream(seed: int, name: str) -> np.random.Generator:
    """An independent random stream per table, so changing one table's recipe leaves the others alone."""
    return np.random.default_rng([seed & 0xFFFFFFFF, seed >> 32 & 0xFFFFFFFF, zlib.crc32(name.encode())])


def choose(rng: np.random.Generator, probabilities: np.ndarray, n: int) -> np.ndarray:
    """n category codes drawn with the given probabilities (inverse CDF, faster than rng.choice)."""
    cdf = np.cumsum(probabilities)
    cdf[-1] = 1.0
    return np.searchsorted(cdf, rng.random(n), side="right").astype(np.int32)


def weighted_index(rng: np.random.Generator, weight: np.ndarray, n: int) -> np.ndarray:
    """n indices into `weight`, each drawn with probability proportional to its weight."""
    cdf = np.cumsum(weight, dtype=np.float64)
    picks = np.searchsorted(cdf, rng.random(n) * cdf[-1], side="right")
    return np.minimum(picks, len(weight) - 1).astype(np.int64)


def decode(codes: np.ndarray, labels: list) -> pl.Series:
    """Category codes to their labels; a negative code means null."""
    table = pl.Series(list(labels) + [None], dtype=pl.String)
    safe = np.where(codes < 0, len(labels), codes)
    return table.gather(pl.Series(safe, dtype=pl.UInt32))


def timestamps(us: np.ndarray) -> pl.Series:
    return pl.Series(us.astype(np.int64)).cast(pl.Datetime("us", "UTC"))


def dates(days: np.ndarray) -> pl.Series:
    return pl.Series(days.astype(np.int32)).cast(pl.Date)


def add_months(days: np.ndarray, months: np.ndarray) -> np.ndarray:
    """Calendar-month arithmetic on days since the epoch, clamped to the month's end (Jan 31 + 1 = Feb 28/29)."""
    day = days.astype("datetime64[D]")
    month = day.astype("datetime64[M]")
    day_of_month = (day - month.astype("datetime64[D]")).astype(np.int64)
    target = month + months.astype(np.int64)
    month_length = ((target + 1).astype("datetime64[D]") - target.astype("datetime64[D]")).astype(np.int64)
    result = target.astype("datetime64[D]") + np.minimum(day_of_month, month_length - 1)
    return result.astype(np.int64)
