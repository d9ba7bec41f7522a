"""Time reading a synced org out of the store for the compute, three ways, side by side:

- `Store.dataset` (connectorx into Arrow; for SQLite in a child process, see sync.store.arrow_reads),
- `pl.read_database` over a SQLAlchemy connection (rows through Python objects: what the store avoids),
- `pl.read_parquet` of the same tables (the floor: no database at all).

    PYTHONPATH=src python bench/store_read.py --opportunities 20000 [--postgres postgresql://postgres@127.0.0.1:5432/test]

With --postgres the store is a database of its own created on that server and dropped afterwards.

The org is the project's generator (`sandbox.generator`, N opportunities, 10N activities); it is loaded
into a fresh store with bulk inserts (not the sync: that is bench/sync.py's business). Times are wall
seconds of one read each, in one process, on a shared machine: read them as ratios.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import polars as pl
import psycopg
import sqlalchemy as sa

from sandbox.generator import OrgSpec, generate_org
from sync.store import Store
from sync.store.reading import DATASET_TABLES, QUOTA_COLUMNS, table_query
from sync.store.tables import record_columns, record_table

INSTANCE = "bench"


def load(store: Store, tables: dict[str, pl.DataFrame]) -> None:
    for name, frame in tables.items():
        columns = [c for c in record_columns(name) if c in frame.columns]
        rows = frame.select(columns).with_columns(instance=pl.lit(INSTANCE)).to_dicts()
        with store.engine.begin() as connection:
            for start in range(0, len(rows), 20_000):
                connection.execute(record_table(name).insert(), rows[start : start + 20_000])


@contextmanager
def scratch_store(postgres: str | None, directory: str) -> Iterator[str]:
    """A store URL: a SQLite file in `directory`, or a fresh database on the server, dropped after."""
    if postgres is None:
        yield f"sqlite:///{directory}/bench.db"
        return
    name = f"crmkpi_bench_{os.getpid()}"
    with psycopg.connect(postgres, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield (
                sa.make_url(postgres)
                .set(drivername="postgresql+psycopg", database=name)
                .render_as_string(False)
            )
        finally:
            admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


def timed(label: str, read: object) -> tuple[str, float, int]:
    start = time.perf_counter()
    frames = read()  # type: ignore[operator]
    elapsed = time.perf_counter() - start
    return label, elapsed, sum(frame.height for frame in frames.values())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--opportunities", type=int, default=20_000)
    parser.add_argument(
        "--postgres", help="a PostgreSQL server URL (default: a SQLite file in a temporary directory)"
    )
    args = parser.parse_args()

    org = generate_org(OrgSpec(opportunities=args.opportunities), seed=1, as_of=date(2025, 12, 31))
    tables = {t: org.tables[t] for t in DATASET_TABLES if t in org.tables and t != "quotas"}
    with tempfile.TemporaryDirectory() as directory, scratch_store(args.postgres, directory) as url:
        with Store.open(url) as store:
            load(store, tables)
            for name, frame in tables.items():
                frame.write_parquet(Path(directory) / f"{name}.parquet")
            queries = {
                t: table_query(store.engine, INSTANCE, t, QUOTA_COLUMNS if t == "quotas" else None)
                for t in DATASET_TABLES
            }
            results = [
                timed("Store.dataset (straight to Arrow)", lambda: store.dataset(INSTANCE).tables()),
                timed(
                    "pl.read_database (SQLAlchemy rows)",
                    lambda: {
                        t: pl.read_database(q, connection=store.engine, infer_schema_length=None)
                        for t, q in queries.items()
                    },
                ),
                timed(
                    "pl.read_parquet (no database)",
                    lambda: {t: pl.read_parquet(Path(directory) / f"{t}.parquet") for t in tables},
                ),
            ]
    rows = sum(frame.height for frame in tables.values())
    backend = "postgresql" if args.postgres else "sqlite"
    print(f"{args.opportunities:,} opportunities, {rows:,} rows in {len(tables)} tables; store {backend}")
    for label, seconds, read_rows in results:
        print(f"  {label:<38} {seconds:7.2f} s  ({read_rows:,} rows)")


if __name__ == "__main__":
    main()
