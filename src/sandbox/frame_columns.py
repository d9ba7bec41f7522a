"""Columns of a polars frame as Python lists of the values a sandbox store keeps.

Renderers build each native column vectorised and materialise records once (`records`): converting a
frame row by row (`to_dicts`, then per-value formatting) dominated the time to render a large org.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from itertools import repeat
from typing import Any

import polars as pl


def utc_datetimes(series: pl.Series) -> list[datetime | None]:
    """Timestamps as aware UTC datetimes truncated to milliseconds (what both CRMs keep).

    `datetime.fromtimestamp` mapped over epoch seconds is ~3x faster than polars' own `to_list`, and gives
    `timezone.utc` datetimes (polars gives zoneinfo ones)."""
    if series.dtype == pl.Date:
        series = series.cast(pl.Datetime("us", "UTC"))
    elif getattr(series.dtype, "time_zone", None) is None:
        series = series.dt.replace_time_zone("UTC")
    millis = series.dt.epoch("ms")
    seconds = (millis.fill_null(0).to_numpy() / 1000).tolist()
    values: list[datetime | None] = list(map(datetime.fromtimestamp, seconds, repeat(UTC)))
    if millis.null_count():
        for index in millis.is_null().arg_true().to_list():
            values[index] = None
    return values


def python_values(series: pl.Series) -> list[Any]:
    """`series.to_list()`, except that a text column with few distinct values gives one string object per
    distinct value, shared by the rows (owner ids, picklist labels: ~60 bytes a row saved per column)."""
    if series.dtype != pl.String or series.len() < 64 or series.n_unique() * 4 > series.len():
        return series.to_list()
    distinct = series.drop_nulls().unique(maintain_order=True).to_list()
    codes = series.cast(pl.Enum(distinct)).to_physical().to_list()  # an Enum's codes index its categories
    return [None if code is None else distinct[code] for code in codes]


def iso_millis(series: pl.Series, suffix: str = "Z") -> list[str | None]:
    """Timestamps (or dates, at midnight) as `2024-01-31T10:00:00.000Z`, formatted by polars."""
    if series.dtype == pl.Date:
        return series.dt.strftime("%Y-%m-%dT00:00:00.000" + suffix).to_list()
    if getattr(series.dtype, "time_zone", None) is not None:
        series = series.dt.convert_time_zone("UTC")
    return series.dt.strftime("%Y-%m-%dT%H:%M:%S%.3f" + suffix).to_list()


def records(columns: dict[str, list[Any]]) -> Iterator[dict[str, Any]]:
    """Rows as dicts, from equal-length columns."""
    keys = list(columns)
    return (dict(zip(keys, values, strict=False)) for values in zip(*columns.values(), strict=False))


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while millions of records are made: each full collection walks
    every object made so far, which made rendering grow faster than the org (records hold no cycles).
    Afterwards the rendered objects are frozen out of later collections, which would otherwise walk them
    all again while pages are served."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if was_enabled:
            gc.enable()
