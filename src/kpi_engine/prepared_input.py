"""The compute's input, read once: only the declared columns, deleted records gone, ids encoded.

`prepare(source, columns)` scans each table for its requested columns (`kpi_engine.source`), drops
deleted records (and the line items and stage changes of deleted opportunities), and collects each table
once, in one pass, with:

- its id columns dictionary-encoded (`ID_COLUMNS`, Categorical: polars keeps one dictionary per process,
  so an opportunity id in the stage history and in the opportunities table share a 4-byte code): joins
  and group-bys compare integers, and the held input is a fraction of 18-character strings. An id that
  names no record is still its own code, matching nothing, as its text did; a scope id is text again
  only when it is reported.
- its low-cardinality text (kind, stage, type, region, team, ...) Categorical, except where a fact
  compares it case-insensitively (lead source, subtype, email).

Activities (ten per opportunity) are not held at all: a lazy scan of their live rows, which the two
facts reading them stream in batches (`READ_BY_STREAMING`), looking their ids up batch by batch.
Owner ids stay text: an owner who is no known user is still reported as a rep.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields

import polars as pl

from kpi_engine.dataset import TABLE_SCHEMAS, empty_frame
from kpi_engine.source import Source

ID_COLUMNS: dict[str, tuple[str, ...]] = {
    "opportunities": ("id", "account_id"),
    "accounts": ("id",),
    "leads": ("id", "converted_opportunity_id", "converted_account_id"),
    "stage_changes": ("opportunity_id",),
    "line_items": ("opportunity_id",),
}
CATEGORICAL_COLUMNS: dict[str, tuple[str, ...]] = {
    "opportunities": ("pipeline", "stage", "forecast_category", "type"),
    "accounts": ("region",),
    "leads": ("status",),
    "stage_changes": ("stage",),
    "stages": ("pipeline", "stage", "forecast_category"),
}
PURGED_WITH_OPPORTUNITIES: tuple[str, ...] = ("line_items", "stage_changes")
# Tables never held: read in batches by the facts that stream them, each reading a few columns once.
READ_BY_STREAMING: tuple[str, ...] = ("activities",)


@dataclass(frozen=True)
class PreparedInput:
    """The input as facts read it (`ctx.dataset`): each table a frame of its declared columns, live and
    encoded, except the streamed tables, lazy scans of their live rows (filter nothing more)."""

    users: pl.DataFrame
    accounts: pl.DataFrame
    leads: pl.DataFrame
    opportunities: pl.DataFrame
    stage_changes: pl.DataFrame
    stages: pl.DataFrame
    activities: pl.LazyFrame
    line_items: pl.DataFrame
    quotas: pl.DataFrame
    spend: pl.DataFrame
    org_id: str = "org"

    def tables(self) -> dict[str, pl.DataFrame | pl.LazyFrame]:
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name != "org_id"}


def _live(frame: pl.LazyFrame) -> pl.LazyFrame:
    if "deleted" not in frame.collect_schema().names():
        return frame
    return frame.filter(~pl.col("deleted").fill_null(False))


def _encoded(table: str, frame: pl.LazyFrame) -> pl.LazyFrame:
    present = set(frame.collect_schema().names())
    wanted = (*ID_COLUMNS.get(table, ()), *CATEGORICAL_COLUMNS.get(table, ()))
    return frame.with_columns(pl.col(c).cast(pl.Categorical) for c in wanted if c in present)


def prepare(source: Source, columns: Mapping[str, Sequence[str]]) -> PreparedInput:
    """The input of one compute: each requested table collected once, pruned, live and encoded; the
    tables are read together (`pl.collect_all`), so one table's decoding overlaps another's."""
    scans = source.scan(columns)
    streamed = {table: _live(frame) for table, frame in scans.items() if table in READ_BY_STREAMING}
    deleted_opportunities = None
    if "opportunities" in scans and set(scans) & set(PURGED_WITH_OPPORTUNITIES):
        deleted_opportunities = (
            scans["opportunities"]
            .filter(pl.col("deleted").fill_null(False))
            .select(pl.col("id").alias("opportunity_id"))
        )
    plans: dict[str, pl.LazyFrame] = {}
    for table, frame in scans.items():
        if table in READ_BY_STREAMING:
            continue
        if table in PURGED_WITH_OPPORTUNITIES and deleted_opportunities is not None:
            frame = frame.join(deleted_opportunities, on="opportunity_id", how="anti")  # a null id stays
        plans[table] = _encoded(table, _live(frame))
    tables = dict(zip(plans, pl.collect_all(list(plans.values())), strict=True))
    for table in TABLE_SCHEMAS:
        tables.setdefault(table, empty_frame(table))
    activities = streamed.get("activities", empty_frame("activities").lazy())
    return PreparedInput(
        org_id=source.org_id, activities=activities, **{t: f for t, f in tables.items() if t != "activities"}
    )
