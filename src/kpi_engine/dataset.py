"""A dataset: one polars DataFrame per record table, with the column types of the shared schema.

The engine only ever sees frames, so the same compute runs on validated JSON Lines, on the local store and
on a generator's columns. The polars types are derived from the pydantic models, so the two cannot drift.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import UTC, date, datetime, timedelta

import polars as pl
from pydantic import BaseModel

from kpi_engine.schema import RECORD_FILES, Quota, Record, Spend

UTC_DATETIME = pl.Datetime("us", "UTC")


def _polars_type(annotation: object) -> pl.DataType:
    """Map a model field's annotation (optionals and Literals included) to a polars type."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:  # the lenient types of kpi_engine.lenient_types
        return _polars_type(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        (inner,) = [a for a in typing.get_args(annotation) if a is not type(None)]
        return _polars_type(inner)
    if origin is typing.Literal:
        return pl.String()
    simple: dict[object, pl.DataType] = {
        str: pl.String(),
        bool: pl.Boolean(),
        int: pl.Int64(),
        float: pl.Float64(),
        datetime: UTC_DATETIME,
        date: pl.Date(),
    }
    return simple[annotation]


def polars_schema(model: type[BaseModel]) -> pl.Schema:
    """The polars schema of a model's fields, in declaration order."""
    return pl.Schema({name: _polars_type(f.annotation) for name, f in model.model_fields.items()})


TABLE_SCHEMAS: dict[str, pl.Schema] = {
    table: polars_schema(model) for table, (_, model) in RECORD_FILES.items()
} | {"quotas": polars_schema(Quota), "spend": polars_schema(Spend)}


def empty_frame(table: str) -> pl.DataFrame:
    return pl.DataFrame(schema=TABLE_SCHEMAS[table])


def conform(table: str, frame: pl.DataFrame) -> pl.DataFrame:
    """Cast a frame to its table's schema: missing columns become nulls, extra columns are kept."""
    schema = TABLE_SCHEMAS[table]
    columns = [
        (pl.col(name) if name in frame.columns else pl.lit(None)).cast(dtype).alias(name)
        for name, dtype in schema.items()
    ]
    extra = [pl.col(c) for c in frame.columns if c not in schema]
    return frame.select(columns + extra)


def conformed(table: str, frame: pl.DataFrame | pl.LazyFrame, columns: Sequence[str]) -> pl.LazyFrame:
    """`frame`'s requested columns with the schema's types, lazily; a column it lacks is null."""
    schema = TABLE_SCHEMAS[table]
    present = set(frame.collect_schema().names())
    return frame.lazy().select(
        (pl.col(c) if c in present else pl.lit(None)).cast(schema[c]).alias(c) for c in columns
    )


def frame_from_records(table: str, records: Iterable[BaseModel]) -> pl.DataFrame:
    """Build a table's frame from validated models, column by column (no per-row dicts)."""
    schema = TABLE_SCHEMAS[table]
    rows = records if isinstance(records, list) else list(records)
    if not rows:
        return empty_frame(table)
    return pl.DataFrame(
        [_column(name, dtype, [getattr(row, name) for row in rows]) for name, dtype in schema.items()]
    )


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_EPOCH_DAY = date(1970, 1, 1)
_MICROSECOND = timedelta(microseconds=1)


def _column(name: str, dtype: pl.DataType, values: list[object]) -> pl.Series:
    """One column; datetimes and dates go through integers, five times faster than polars' own
    conversion of Python datetime objects (bench/loading.py)."""
    if isinstance(dtype, pl.Datetime):
        micros = [None if v is None else (v - _EPOCH) // _MICROSECOND for v in values]  # type: ignore[operator]
        return pl.Series(name, micros, dtype=pl.Int64).cast(dtype)
    if isinstance(dtype, pl.Date):
        days = [None if v is None else (v - _EPOCH_DAY).days for v in values]  # type: ignore[operator]
        return pl.Series(name, days, dtype=pl.Int32).cast(dtype)
    return pl.Series(name, values, dtype=dtype, strict=False)


@dataclass(frozen=True)
class Dataset:
    """The normalised records of one CRM instance (or a merge of several), as frames."""

    users: pl.DataFrame
    accounts: pl.DataFrame
    leads: pl.DataFrame
    opportunities: pl.DataFrame
    stage_changes: pl.DataFrame
    stages: pl.DataFrame
    activities: pl.DataFrame
    line_items: pl.DataFrame
    quotas: pl.DataFrame
    spend: pl.DataFrame
    org_id: str = "org"

    @classmethod
    def from_frames(cls, org_id: str = "org", **frames: pl.DataFrame) -> Dataset:
        """Any table left out is empty; every frame is conformed to its schema."""
        unknown = set(frames) - set(TABLE_SCHEMAS)
        if unknown:
            raise ValueError(f"unknown tables: {', '.join(sorted(unknown))}")
        tables = {
            name: conform(name, frames[name]) if name in frames else empty_frame(name)
            for name in TABLE_SCHEMAS
        }
        return cls(org_id=org_id, **tables)

    @classmethod
    def from_records(cls, org_id: str = "org", **records: Iterable[Record | Quota | Spend]) -> Dataset:
        return cls.from_frames(
            org_id, **{table: frame_from_records(table, rows) for table, rows in records.items()}
        )

    def tables(self) -> dict[str, pl.DataFrame]:
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name != "org_id"}

    def scan(self, columns: Mapping[str, Sequence[str]]) -> dict[str, pl.LazyFrame]:
        """The requested columns of the requested tables, lazily (a `kpi_engine.source.Source`)."""
        return {table: conformed(table, getattr(self, table), wanted) for table, wanted in columns.items()}
