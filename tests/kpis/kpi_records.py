"""Compact record builders for KPI tests: only the fields a test cares about, the rest defaulted."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import polars as pl

from kpi_engine import Dataset, KpiConfig, compute

UTC = UTC
STAMP = datetime(2024, 1, 1, tzinfo=UTC)


def at(day: str, hour: int = 0, minute: int = 0) -> datetime:
    """A UTC datetime from "YYYY-MM-DD"."""
    d = date.fromisoformat(day)
    return datetime(d.year, d.month, d.day, hour, minute, tzinfo=UTC)


def record(id: str, **fields: Any) -> dict[str, Any]:
    return {"source": "salesforce", "id": id, "deleted": False, "modified_at": STAMP, **fields}


def user(id: str, team: str | None = "A", **fields: Any) -> dict[str, Any]:
    return record(id, name=id, team=team, email=f"{id}@example.com", active=True, **fields)


def opp(
    id: str,
    owner: str = "u1",
    *,
    created: str = "2024-01-05",
    close: str | None = None,
    won: bool = False,
    closed: bool | None = None,
    amount: float | None = 100.0,
    **fields: Any,
) -> dict[str, Any]:
    is_closed = closed if closed is not None else close is not None
    return record(
        id,
        owner_id=owner,
        stage=fields.pop("stage", "closed" if is_closed else "open"),
        created_at=at(created),
        close_date=date.fromisoformat(close) if close else None,
        is_closed=is_closed,
        is_won=won,
        amount=amount,
        **fields,
    )


def activity(
    id: str, kind: str, owner: str = "u1", when: str = "2024-01-10", **fields: Any
) -> dict[str, Any]:
    return record(
        id, kind=kind, owner_id=owner, occurred_at=at(when), completed=fields.pop("completed", True), **fields
    )


def dataset(**tables: list[dict[str, Any]]) -> Dataset:
    frames = {}
    for name, rows in tables.items():
        frames[name] = pl.DataFrame(rows, infer_schema_length=None) if rows else pl.DataFrame()
    return Dataset.from_frames(**frames)


def values(ds: Dataset, config: KpiConfig | None = None, **options: Any) -> pl.DataFrame:
    options.setdefault("as_of", date(2024, 6, 30))
    return compute(ds, config or KpiConfig(), **options)


def value_of(
    out: pl.DataFrame, kpi: str, period: str | None, scope: str = "org", scope_id: str = "org"
) -> Any:
    """The value of one KPI row (period None: the only row)."""
    rows = out.filter((pl.col("kpi") == kpi) & (pl.col("scope") == scope) & (pl.col("scope_id") == scope_id))
    if period is not None:
        rows = rows.filter(pl.col("period_start") == date.fromisoformat(period))
    assert rows.height == 1, f"{kpi}/{scope}/{scope_id}/{period}: {rows.height} rows"
    return rows["value"][0]


def row_of(
    out: pl.DataFrame, kpi: str, period: str | None, scope: str = "org", scope_id: str = "org"
) -> dict:
    rows = out.filter((pl.col("kpi") == kpi) & (pl.col("scope") == scope) & (pl.col("scope_id") == scope_id))
    if period is not None:
        rows = rows.filter(pl.col("period_start") == date.fromisoformat(period))
    assert rows.height == 1
    return rows.row(0, named=True)
