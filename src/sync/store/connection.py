"""Open the store's database: a SQLite file (the default) or PostgreSQL, by SQLAlchemy URL.

SQLite runs in WAL mode with a busy timeout, so the scheduler, a manual `sync` and `status` can read while
one of them writes, and a writer waits for another instead of failing at once.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

DEFAULT_URL = "sqlite:///crm-kpi.db"
SQLITE_BUSY_TIMEOUT_MS = 30_000


class StoreUrlError(ValueError):
    """The store URL names no database this product can use."""


def create_store_engine(url: str) -> Engine:
    """An engine for `url`; SQLite connections get WAL, a busy timeout and real transactions."""
    try:
        parsed = sa.make_url(url)
    except sa.exc.ArgumentError:
        raise StoreUrlError(
            f"store url {url!r} is not a database URL; use sqlite:///path/to/crm-kpi.db or "
            "postgresql+psycopg://user@host:5432/db"
        ) from None
    if parsed.get_backend_name() == "sqlite":
        if parsed.database in (None, "", ":memory:"):
            raise StoreUrlError(f"store url {url!r}: the store must be a file (sqlite:///path/to/crm-kpi.db)")
        engine = sa.create_engine(parsed)
        sa.event.listen(engine, "connect", _sqlite_on_connect)
        sa.event.listen(engine, "begin", _sqlite_on_begin)
        return engine
    if parsed.get_backend_name() == "postgresql":
        if parsed.drivername == "postgresql":
            parsed = parsed.set(drivername="postgresql+psycopg")
        return sa.create_engine(parsed, pool_pre_ping=True)
    raise StoreUrlError(
        f"store url {url!r}: use a SQLite file or PostgreSQL, not {parsed.get_backend_name()}"
    )


def connection_lost(error: BaseException) -> bool:
    """Whether `error` (or what it was raised from) is the database going away, not a fault of the request:
    the work can be tried again once the database answers."""
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, sa.exc.DBAPIError) and (
            seen.connection_invalidated or isinstance(seen, sa.exc.OperationalError)
        ):
            return True
        if isinstance(seen, sa.exc.DisconnectionError | sa.exc.InterfaceError):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    # pysqlite's own transaction handling begins late and never for DDL; let SQLAlchemy's "begin" event
    # issue BEGIN itself so a batch and its cursor really are one transaction.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_on_begin(connection: sa.Connection) -> None:
    # IMMEDIATE takes the write lock at the start, so two writers queue on the busy timeout instead of one
    # failing with "database is locked" when it upgrades a read transaction.
    connection.exec_driver_sql("BEGIN IMMEDIATE")
