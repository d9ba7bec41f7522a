"""Run SQL queries into Arrow frames: PostgreSQL with ADBC (libpq), SQLite with connectorx in a child process.

connectorx (like ADBC's SQLite driver) carries its own copy of SQLite. Two copies of SQLite with one file
open in one process break SQLite's POSIX locks (sqlite.org/howtocorrupt.html, "multiple copies of SQLite
linked into the same application"): when connectorx closed the file it took itself for the last user,
checkpointed and deleted the WAL that the store's own connections were still writing to, and the next
writes were lost (seen here: a tombstone written after a read was gone, then "disk I/O error"). Across
processes the locks work, so SQLite stores are read by a child process that writes Arrow IPC files.
(ADBC's SQLite driver would have the same problem, and guesses column types from the first rows.)

PostgreSQL is read in-process with ADBC's driver, which is libpq: it honours PGPASSWORD, ~/.pgpass and
the other libpq settings exactly as the store's psycopg connections do (connectorx's own client does not).
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path

import polars as pl
from sqlalchemy.engine import Engine


class StoreReadError(RuntimeError):
    """The reader process could not read the store."""


def reader_uri(engine: Engine) -> str:
    """The store's URL as the Arrow readers write it (connectorx for SQLite, libpq for PostgreSQL)."""
    url = engine.url
    if url.get_backend_name() == "sqlite":
        return f"sqlite://{Path(str(url.database)).resolve()}"
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def read_queries(engine: Engine, queries: Mapping[str, str]) -> dict[str, pl.DataFrame]:
    """One frame per named query."""
    uri = reader_uri(engine)
    if engine.url.get_backend_name() != "sqlite":
        return {name: pl.read_database_uri(sql, uri, engine="adbc") for name, sql in queries.items()}
    with tempfile.TemporaryDirectory(prefix="crm-kpi-read-") as directory:
        request = json.dumps({"uri": uri, "directory": directory, "queries": dict(queries)})
        done = subprocess.run(
            [sys.executable, "-c", _CHILD], input=request, capture_output=True, text=True, check=False
        )
        if done.returncode != 0:
            last = (done.stderr.strip().splitlines() or ["no message"])[-1]
            raise StoreReadError(f"reading the store {engine.url.database} failed: {last}")
        return {name: pl.read_ipc(Path(directory) / f"{index}.arrow") for index, name in enumerate(queries)}


# The child imports polars and nothing of ours (importing the `sync.store` package would double its start).
_CHILD = """
import json, sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
import polars as pl

request = json.loads(sys.stdin.read())

def read(item):
    index, sql = item
    pl.read_database_uri(sql, request["uri"], engine="connectorx").write_ipc(
        Path(request["directory"]) / f"{index}.arrow")

with ThreadPoolExecutor(2) as pool:
    list(pool.map(read, enumerate(request["queries"].values())))
"""
