"""Reading single values out of a compute's long frame, for the KPI tests of this folder."""

from __future__ import annotations

from datetime import date

import polars as pl


def values(
    out: pl.DataFrame, kpi: str, scope: str = "org", scope_id: str = "org1"
) -> dict[date, float | None]:
    """period_start → value of one KPI at one scope id."""
    rows = out.filter((pl.col("kpi") == kpi) & (pl.col("scope") == scope) & (pl.col("scope_id") == scope_id))
    return dict(rows.sort("period_start").select("period_start", "value").iter_rows())


def row(out: pl.DataFrame, kpi: str, period: date, scope: str = "org", scope_id: str = "org1") -> dict:
    rows = out.filter(
        (pl.col("kpi") == kpi)
        & (pl.col("scope") == scope)
        & (pl.col("scope_id") == scope_id)
        & (pl.col("period_start") == period)
    )
    assert rows.height == 1, f"{kpi} {scope}={scope_id} {period}: {rows.height} rows"
    return rows.row(0, named=True)
