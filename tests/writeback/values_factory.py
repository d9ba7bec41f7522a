"""Compute-output frames written by hand for the planner tests."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import polars as pl

from kpi_engine.engine import OUTPUT_SCHEMA
from sync.store.ledger import LedgerEntry, LedgerStatus, TargetKind

COMPUTED_AT = datetime(2025, 5, 20, 6, 0, tzinfo=UTC)


def row(
    kpi: str,
    scope: str,
    scope_id: str,
    value: float | None,
    *,
    grain: str = "quarter",
    start: date = date(2025, 4, 1),
    end: date | None = None,
    unit: str = "count",
    numerator: float | None = None,
    denominator: float | None = None,
) -> dict[str, Any]:
    if end is None:
        months = {"month": 1, "quarter": 3, "year": 12}.get(grain, 0)
        month = start.month - 1 + months
        end = date(start.year + month // 12, month % 12 + 1, 1) if months else date(2025, 5, 21)
    return {
        "kpi": kpi,
        "scope": scope,
        "scope_id": scope_id,
        "grain": grain,
        "period_start": start,
        "period_end": end,
        "value": value,
        "unit": unit,
        "numerator": numerator,
        "denominator": denominator,
        "skipped": 0,
    }


def frame(*rows: dict[str, Any]) -> pl.DataFrame:
    return pl.DataFrame(list(rows), schema=OUTPUT_SCHEMA)


def entry(
    key: str,
    written: dict[str, float | None] | None,
    *,
    status: LedgerStatus = "ok",
    kind: TargetKind = "snapshot",
    crm_id: str | None = "a01",
    attempted: dict[str, float | None] | None = None,
) -> LedgerEntry:
    return LedgerEntry(
        key=key,
        kind=kind,
        crm_id=crm_id,
        written=written,
        attempted=attempted,
        status=status,
        error_code=None if status == "ok" else "UNABLE_TO_LOCK_ROW",
        message=None,
        attempts=0 if status == "ok" else 1,
        run="run-0",
        written_at=None,
        attempted_at=COMPUTED_AT,
    )
