"""Values that pass validation but would mislead: reported as warnings, the records kept.

- A won deal with a negative amount lowers bookings; a refund or credit is usually not a deal.
- A date far from the rest of its column (2205 for 2025, 1970 from seconds read as milliseconds) puts a
  record in a period nobody looks at, or stretches the computed range over centuries.
"""

from __future__ import annotations

from datetime import date, timedelta

import polars as pl

from kpi_engine.load_findings import LoadWarning
from kpi_engine.schema import RECORD_FILES, TABLE_FILES

FAR_OUT_YEARS = 15
"""A date more than this many years from its column's median is reported."""
_EXAMPLES = 3


def value_warnings(frames: dict[str, pl.DataFrame]) -> list[LoadWarning]:
    """Warnings for the loaded frames (by table name)."""
    files = {table: name for table, (name, _) in (RECORD_FILES | TABLE_FILES).items()}
    warnings = _negative_won_amounts(frames["opportunities"], files["opportunities"])
    for table, frame in frames.items():
        for column, dtype in frame.schema.items():
            if isinstance(dtype, pl.Date | pl.Datetime):
                warnings.extend(_far_out_dates(frame, column, files[table]))
    return warnings


def _negative_won_amounts(opportunities: pl.DataFrame, file: str) -> list[LoadWarning]:
    negative = opportunities.filter(pl.col("is_won") & (pl.col("amount") < 0) & ~pl.col("deleted"))
    if negative.height == 0:
        return []
    examples = ", ".join(
        f"{i} ({a:,.2f})" for i, a in negative.select("id", "amount").head(_EXAMPLES).iter_rows()
    )
    return [
        LoadWarning(
            file,
            f"{negative.height:,} won deal(s) with a negative amount (e.g. {examples}); "
            "kept, they lower bookings "
            "and average deal size: check for refunds or credits written as deals",
        )
    ]


def _far_out_dates(frame: pl.DataFrame, column: str, file: str) -> list[LoadWarning]:
    days = (
        pl.col(column).dt.date().cast(pl.Int32)
        if isinstance(frame.schema[column], pl.Datetime)
        else (pl.col(column).cast(pl.Int32))
    )
    values = frame.select(
        pl.col("id") if "id" in frame.columns else pl.lit(None).alias("id"), days.alias("day")
    )
    values = values.drop_nulls("day")
    if values.height < 2:
        return []
    median = int(values["day"].median())  # type: ignore[arg-type]
    limit = int(FAR_OUT_YEARS * 365.25)
    far = values.filter((pl.col("day") - median).abs() > limit)
    if far.height == 0:
        return []
    epoch = date(1970, 1, 1)
    examples = ", ".join(
        f"{epoch + timedelta(days=day)}" + (f" on id {rid}" if rid is not None else "")
        for rid, day in far.head(_EXAMPLES).iter_rows()
    )
    return [
        LoadWarning(
            file,
            f"{far.height:,} {column} value(s) more than {FAR_OUT_YEARS} years from the others "
            f"(e.g. {examples}; most are around {epoch + timedelta(days=median)}); "
            "kept: check for a typo or epoch seconds written "
            "as milliseconds",
        )
    ]
