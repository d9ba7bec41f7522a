"""Reading records for the compute: SQL straight into Arrow, one frame per table, only the columns asked
for — never a Python object per record (`sync.store.arrow_reads` says with what, and why SQLite is read by
a child process). ADBC's SQLite driver was tried and refused: it guesses a column's type from its first
rows and fails on a column that starts with nulls (`Type mismatch in column 0: expected INT64 but got
STRING`); connectorx reads the declared types. Timings: docs/store.md (bench/store_read.py).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import polars as pl
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from kpi_engine.dataset import TABLE_SCHEMAS, Dataset, polars_schema
from sync.store.arrow_reads import read_queries
from sync.store.tables import RECORD_MODELS, record_columns, record_table

DATASET_TABLES = (
    "users",
    "accounts",
    "leads",
    "opportunities",
    "stage_changes",
    "stages",
    "activities",
    "line_items",
    "quotas",
)
"""The store tables that feed a `Dataset` (spend is a file input; FX rates are the connector's business)."""

FRAME_SCHEMAS: dict[str, pl.Schema] = {table: polars_schema(model) for table, model in RECORD_MODELS.items()}
QUOTA_COLUMNS = tuple(TABLE_SCHEMAS["quotas"])
"""A dataset's quotas are the live quota rows with the columns of quotas.csv."""


def table_query(
    engine: Engine,
    instance: str,
    table: str,
    columns: Sequence[str] | None = None,
    *,
    include_deleted: bool = True,
) -> str:
    """The SQL reading `columns` (default all) of one table's rows of `instance`."""
    known = record_columns(table)
    wanted = list(known if columns is None else columns)
    unknown = [name for name in wanted if name not in known]
    if unknown:
        raise ValueError(f"{table} has no column(s) {', '.join(unknown)}")
    sql_table = record_table(table)
    query = sa.select(*(sql_table.c[name] for name in wanted)).where(sql_table.c.instance == instance)
    if not include_deleted:
        query = query.where(sa.or_(sql_table.c.deleted.is_(None), sa.not_(sql_table.c.deleted)))
    return str(query.compile(engine, compile_kwargs={"literal_binds": True}))


def read_tables(engine: Engine, queries: Mapping[str, str]) -> dict[str, pl.DataFrame]:
    """Frames typed like the record models, for queries keyed by table name (`table_query`)."""
    return {table: _typed(frame, table) for table, frame in read_queries(engine, queries).items()}


def read_table(
    engine: Engine,
    instance: str,
    table: str,
    columns: Sequence[str] | None = None,
    *,
    include_deleted: bool = True,
) -> pl.DataFrame:
    """One table's rows of `instance` as a frame typed like the record model (`kpi_engine.dataset`)."""
    query = table_query(engine, instance, table, columns, include_deleted=include_deleted)
    return read_tables(engine, {table: query})[table]


def _typed(frame: pl.DataFrame, table: str) -> pl.DataFrame:
    """Cast to the schema's types: SQLite gives naive UTC datetimes and 0/1 for booleans."""
    schema = FRAME_SCHEMAS[table]
    casts = []
    for name in frame.columns:
        dtype = schema[name]
        column = pl.col(name)
        if isinstance(dtype, pl.Datetime) and frame.schema[name] != dtype:
            column = column.cast(pl.Datetime("us")).dt.replace_time_zone("UTC")
        casts.append(column.cast(dtype))
    return frame.select(casts)


def read_dataset(
    engine: Engine, instance: str, columns: Mapping[str, Sequence[str]] | None = None
) -> Dataset:
    """The instance's records as a `Dataset` whose org scope id is the instance name. `columns` limits
    which tables and columns are read (a table left out is empty; a column left out is null)."""
    tables = DATASET_TABLES if columns is None else [t for t in columns if t in DATASET_TABLES]
    queries = {}
    for table in tables:
        wanted = None if columns is None else columns[table]
        if table == "quotas":
            queries[table] = table_query(
                engine, instance, table, wanted or QUOTA_COLUMNS, include_deleted=False
            )
        else:
            queries[table] = table_query(engine, instance, table, wanted)
    return Dataset.from_frames(instance, **read_tables(engine, queries))
