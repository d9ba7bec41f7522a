"""Where the compute's input comes from, read column by column: in-memory frames, Parquet files, or a
callback (the local store) that is told which columns of which tables to read.

The compute never asks for a whole table: it asks a `Source` for the columns its KPIs' facts declare
(`kpi_engine.declarations.required_columns`) and gets lazy frames, so a Parquet file is scanned for those
columns only and a store reads only those. Whatever a source returns is conformed to the shared schema:
a requested column it lacks is null, types are the schema's.

- `Dataset` (in-memory frames) is a source: its `scan` selects the columns lazily.
- `ParquetSource(directory)`: `<table>.parquet` per table (the layout bench/ and `Org` write); a table
  without a file is empty.
- `ColumnReader(read)`: `read({table: [columns]})` returns `{table: DataFrame | LazyFrame}` or a
  `Dataset`, e.g. `ColumnReader(lambda columns: store.dataset(instance, columns))` (the local store's
  `Store.dataset(instance, columns)`); a table it leaves out is empty, a column it lacks null.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import polars as pl

from kpi_engine.dataset import TABLE_SCHEMAS, Dataset, conformed

ColumnRequest = Mapping[str, Sequence[str]]


class Source(Protocol):
    """Anything the compute can read its input from."""

    @property
    def org_id(self) -> str: ...

    def scan(self, columns: ColumnRequest) -> dict[str, pl.LazyFrame]:
        """Lazy frames of exactly the requested columns (schema types), one per requested table."""
        ...


def empty_scan(table: str, columns: Sequence[str]) -> pl.LazyFrame:
    schema = TABLE_SCHEMAS[table]
    return pl.LazyFrame(schema={c: schema[c] for c in columns})


@dataclass(frozen=True)
class ParquetSource:
    """A directory of `<table>.parquet` files, scanned lazily for the requested columns only."""

    directory: Path
    org_id: str = "org"

    def scan(self, columns: ColumnRequest) -> dict[str, pl.LazyFrame]:
        out = {}
        for table, wanted in columns.items():
            path = Path(self.directory) / f"{table}.parquet"
            out[table] = (
                conformed(table, pl.scan_parquet(path), wanted)
                if path.exists()
                else empty_scan(table, wanted)
            )
        return out


@dataclass(frozen=True)
class ColumnReader:
    """A callback that reads the requested columns of the requested tables (the local store's way)."""

    read: Callable[[dict[str, list[str]]], Mapping[str, pl.DataFrame | pl.LazyFrame] | Dataset]
    org_id: str = "org"

    def scan(self, columns: ColumnRequest) -> dict[str, pl.LazyFrame]:
        answer = self.read({table: list(wanted) for table, wanted in columns.items()})
        got: Mapping[str, pl.DataFrame | pl.LazyFrame] = (
            answer.tables() if isinstance(answer, Dataset) else answer
        )
        return {
            table: conformed(table, got[table], wanted) if table in got else empty_scan(table, wanted)
            for table, wanted in columns.items()
        }
