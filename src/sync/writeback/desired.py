"""What the targets ask for: the compute's output turned into snapshot records and field values.

Values are rounded to the settings' decimals here, once, so what is compared is what is written.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime

import polars as pl

from connectors.base import FieldObject, SnapshotWrite
from sync.writeback.targets import FieldTarget, SnapshotTarget

NUMBERS = ("value", "numerator", "denominator")
SCOPE_LOOKUP = {"rep": "owner_id", "account": "account_id", "opportunity": "opportunity_id"}
"""Snapshot lookups (`User__c`, `Account__c`, `Opportunity__c`) filled from the scope id."""


def snapshot_key(kpi: str, scope: str, scope_id: str, grain: str, period_start: str) -> str:
    """DESIGN.md's external key: `kpi|scope|scope_id|grain|period_start` (ISO date)."""
    return f"{kpi}|{scope}|{scope_id}|{grain}|{period_start}"


def latest_periods(values: pl.DataFrame, grain: str, count: int) -> pl.Series:
    """The `count` latest period starts of `grain` in the output (the as-of period is the latest)."""
    starts = values.filter(pl.col("grain") == grain).get_column("period_start").unique().sort(descending=True)
    return starts.head(count)


def _rounded(frame: pl.DataFrame, decimals: int) -> pl.DataFrame:
    return frame.with_columns(pl.col(name).round(decimals) for name in NUMBERS)


def desired_snapshots(
    values: pl.DataFrame,
    targets: Iterable[SnapshotTarget],
    instance: str,
    computed_at: datetime,
    decimals: int,
) -> list[SnapshotWrite]:
    """One write per (kpi, scope, scope_id, grain, period_start) some target asks for (once if several do)."""
    parts = []
    for target in targets:
        for grain in target.grains:
            parts.append(
                values.filter(
                    pl.col("kpi").is_in(target.kpis),
                    pl.col("scope").is_in(target.scopes),
                    pl.col("grain") == grain,
                    pl.col("period_start").is_in(latest_periods(values, grain, target.periods).implode()),
                )
            )
    if not parts:
        return []
    selected = _rounded(pl.concat(parts), decimals).unique(
        ["kpi", "scope", "scope_id", "grain", "period_start"], keep="first", maintain_order=True
    )
    writes = []
    columns = ("kpi", "scope", "scope_id", "grain", "unit", "period_start", "period_end", *NUMBERS)
    for kpi, scope, scope_id, grain, unit, start, end, value, numerator, denominator in selected.select(
        columns
    ).iter_rows():
        lookup = {SCOPE_LOOKUP[scope]: scope_id} if scope in SCOPE_LOOKUP else {}
        writes.append(
            SnapshotWrite(
                key=snapshot_key(kpi, scope, scope_id, grain, start.isoformat()),
                kpi=kpi,
                scope=scope,
                scope_id=scope_id,
                grain=grain,
                unit=unit,
                instance=instance,
                period_start=start,
                period_end=end,
                value=value,
                numerator=numerator,
                denominator=denominator,
                computed_at=computed_at,
                **lookup,
            )
        )
    return writes


def desired_fields(
    values: pl.DataFrame, targets: Iterable[FieldTarget], decimals: int
) -> dict[tuple[FieldObject, str], dict[str, float | None]]:
    """(object, record id) → {kpi: value} for every record a field target has a value for."""
    wanted: dict[tuple[FieldObject, str], dict[str, float | None]] = defaultdict(dict)
    for target in targets:
        rows = values.filter(
            pl.col("kpi").is_in(target.kpis), pl.col("scope") == target.scope, pl.col("grain") == target.grain
        )
        if target.grain != "to_date":
            rows = rows.filter(pl.col("period_start") == rows.get_column("period_start").max())
        for kpi, record_id, value in _rounded(rows, decimals).select("kpi", "scope_id", "value").iter_rows():
            wanted[(target.object, record_id)][kpi] = value
    return dict(wanted)
