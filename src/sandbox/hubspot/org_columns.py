"""The large object types of a rendered portal (companies, deals, contacts, activities, line items), built
column-wise from the generator's frames: every property column is computed once, vectorised by polars or
through a table of its distinct values, then `ObjectStore.load_columns` makes the records in one pass.
Row by row (`to_dicts`, a dict of properties per row) a medium portal took 50-94 s to render.

The mapping itself (which column becomes which property, with which labels) lives in
`sandbox.hubspot.org`, shared with nothing else; this module only changes how it is applied.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import polars as pl

from sandbox.frame_columns import iso_millis, python_values, utc_datetimes
from sandbox.hubspot.record import HistoryEntry, Record
from sandbox.hubspot.store import ObjectStore

Columns = dict[str, list[Any]]


def each_distinct(values: list[Any], convert: Callable[[Any], Any]) -> list[Any]:
    """`convert` applied to every value, computed once per distinct value (labels, codes, flags)."""
    table: dict[Any, Any] = {}
    return [table[v] if v in table else table.setdefault(v, convert(v)) for v in values]


def text(frame: pl.DataFrame, name: str) -> list[str | None]:
    return python_values(frame[name])


def flags(frame: pl.DataFrame, expr: pl.Expr) -> list[str]:
    """A boolean as HubSpot's "true"/"false" (null is false)."""
    return python_values(frame.select(pl.when(expr.fill_null(False)).then(pl.lit("true"))
                                      .otherwise(pl.lit("false"))).to_series())


def iso(frame: pl.DataFrame, name: str) -> list[str | None]:
    return iso_millis(frame[name])


def load(store: ObjectStore, type_name: str, frame: pl.DataFrame, properties: Columns, *, created: str | None,
         extra: list[dict[str, str] | None] | None = None) -> list[Record]:
    """Records of one type: created at `created` (else last modified), updated at `modified_at`."""
    moment = pl.coalesce(created, "modified_at") if created else pl.col("modified_at")
    stamps = frame.select(created=moment, updated=pl.col("modified_at"))
    return store.load_columns(
        type_name, frame["id"].to_list(), properties,
        created_at=utc_datetimes(stamps["created"]), updated_at=utc_datetimes(stamps["updated"]),
        archived=frame["deleted"].fill_null(False).to_list(),
        created_iso=iso_millis(stamps["created"]), updated_iso=iso_millis(stamps["updated"]), extra=extra)


def stage_history(changes: pl.DataFrame, stage_of: Callable[[str, str], str],
                  pipelines: dict[str, str]) -> dict[str, tuple[dict[str, str], list[HistoryEntry]]]:
    """Per deal: the `hs_v2_date_entered_<stage>` properties and the dealstage history, newest first."""
    ordered = changes.sort("entered_at", maintain_order=True)
    entered_iso = iso_millis(ordered["entered_at"])
    entered = utc_datetimes(ordered["entered_at"])
    by_deal: dict[str, tuple[dict[str, str], list[HistoryEntry]]] = {}
    for deal, stage, when, when_iso in zip(ordered["opportunity_id"].to_list(), ordered["stage"].to_list(),
                                           entered, entered_iso):
        props, history = by_deal.setdefault(deal, ({}, []))
        stage_id = stage_of(pipelines.get(deal, "default"), stage)
        props[f"hs_v2_date_entered_{stage_id}"] = when_iso
        history.append(HistoryEntry(stage_id, when, "CRM_UI"))
    for _, history in by_deal.values():
        history.reverse()
    return by_deal
