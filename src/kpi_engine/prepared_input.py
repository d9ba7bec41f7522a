"""The compute's input, read once: only the declared columns, deleted records gone, ids encoded.

`prepare(source, columns)` scans each table for its requested columns (`kpi_engine.source`), drops
deleted records (and the line items and stage changes of deleted opportunities), and collects each table
once with its id columns dictionary-encoded and its low-cardinality text categorical:

- Opportunity, account and lead ids become Enums whose categories are the live records' ids, in every
  table that refers to them (`ID_COLUMNS`): a 4-byte key instead of an 18-character string, joined and
  grouped as integers, and cast back to the id text only where a scope id is reported. An id naming no
  live record becomes `UNKNOWN_ID`, which, like the text it replaces, matches no record.
- Text with a handful of values (kind, stage, type, region, team, ...) becomes Categorical, except where
  a fact compares it case-insensitively (lead source, subtype).

Owner ids stay text: an owner who is no known user is still reported as a rep.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import polars as pl

from kpi_engine.dataset import TABLE_SCHEMAS, Dataset, empty_frame
from kpi_engine.source import Source

# The table whose live ids name each kind of id, and the columns holding such ids.
ID_COLUMNS: dict[str, dict[str, str]] = {
    "opportunities": {"opportunities": "id", "stage_changes": "opportunity_id", "line_items": "opportunity_id",
                      "activities": "opportunity_id", "leads": "converted_opportunity_id"},
    "accounts": {"accounts": "id", "opportunities": "account_id", "activities": "account_id",
                 "leads": "converted_account_id"},
    "leads": {"leads": "id", "activities": "lead_id"},
}
CATEGORICAL_COLUMNS: dict[str, tuple[str, ...]] = {
    "opportunities": ("pipeline", "stage", "forecast_category", "type"),
    "accounts": ("region",),
    "leads": ("status",),
    "activities": ("kind", "outcome", "direction"),
    "stage_changes": ("stage",),
    "stages": ("pipeline", "stage", "forecast_category"),
}
PURGED_WITH_OPPORTUNITIES: tuple[str, ...] = ("line_items", "stage_changes")


# The code of an id that names no live record (deleted, or never read): still "an id", so a fact can tell
# it from a missing one (an activity on an unknown account has no region; one without an account takes
# its opportunity's), and it matches no record, as the text did.
UNKNOWN_ID = "\x00unknown id"
# Tables whose ids others refer to come first, each after the ones its own id columns name.
ORDER: tuple[str, ...] = ("accounts", "opportunities", "leads")


def _live(frame: pl.DataFrame) -> pl.DataFrame:
    if "deleted" not in frame.columns:
        return frame
    return frame.filter(~pl.col("deleted").fill_null(False))


def prepare(source: Source, columns: Mapping[str, Sequence[str]]) -> Dataset:
    """The input of one compute: each requested table collected once, pruned, live and encoded."""
    scans = source.scan(columns)
    enums: dict[str, pl.Enum] = {}
    tables: dict[str, pl.DataFrame] = {}
    gone: pl.Series | None = None
    for table in sorted(scans, key=lambda t: ORDER.index(t) if t in ORDER else len(ORDER)):
        frame = scans[table]
        if table in PURGED_WITH_OPPORTUNITIES and gone is not None and not gone.is_empty():
            frame = frame.filter(~pl.col("opportunity_id").is_in(gone.implode()).fill_null(False))
        collected = _encoded(table, frame, enums).collect()
        if table == "opportunities" and "id" in collected.columns:
            gone = collected.filter(pl.col("deleted").fill_null(False))["id"]
        collected = _live(collected)
        if table in ID_COLUMNS and "id" in collected.columns:
            # the ids of live records; encoded after their owner's rows are known, and stored as such
            ids = collected["id"].drop_nulls().unique(maintain_order=True)
            enums[table] = pl.Enum([*ids, UNKNOWN_ID])
            collected = collected.with_columns(pl.col("id").cast(enums[table]))
        tables[table] = collected
    for table in TABLE_SCHEMAS:
        tables.setdefault(table, empty_frame(table))
    return Dataset(org_id=source.org_id, **tables)


def _encoded_id(column: str, enum: pl.Enum) -> pl.Expr:
    """An id column as its owner's Enum; an id naming no live record is `UNKNOWN_ID`, not null."""
    given = pl.col(column)
    return pl.when(given.is_not_null()).then(
        given.cast(enum, strict=False).fill_null(pl.lit(UNKNOWN_ID, dtype=enum))
    ).alias(column)


def _encoded(table: str, frame: pl.LazyFrame, enums: Mapping[str, pl.Enum]) -> pl.LazyFrame:
    """Id columns of already-read owners as their Enums, low-cardinality text as Categorical."""
    present = set(frame.collect_schema().names())
    ids = [_encoded_id(by_table[table], enums[owner]) for owner, by_table in ID_COLUMNS.items()
           if owner in enums and table in by_table and by_table[table] in present and owner != table]
    text = [pl.col(c).cast(pl.Categorical) for c in CATEGORICAL_COLUMNS.get(table, ()) if c in present]
    return frame.with_columns(*ids, *text)
