"""One run per instance at a time: a lock in the store, held as a context manager.

PostgreSQL: a session advisory lock on a connection held for the run; the server drops it when that
connection ends, so a killed process never leaves it behind. A SQLite file: an operating-system lock
(flock, through `filelock`) on a file beside the database, one per instance — the kernel releases it when
the holding process dies, kill -9 included, so the next run starts at once instead of waiting out a lease.
Both keep the holder in `locks`, for `status`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa
from filelock import FileLock, Timeout
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine

from sync.store.tables import locks

Clock = Callable[[], datetime]


class InstanceLocked(RuntimeError):
    """Another run holds the instance's lock."""

    def __init__(self, instance: str, owner: str | None) -> None:
        held = f"run {owner}" if owner else "another run"
        super().__init__(f"instance {instance!r} is being synced by {held}; try again when it has finished")
        self.instance = instance
        self.owner = owner


def utc_now() -> datetime:
    return datetime.now(UTC)


def _held_by_the_kernel() -> None:
    """An OS lock is held until this process ends: nothing can take it from a live holder."""


@dataclass(frozen=True)
class HeldLock:
    """The lock of one instance, held for the block of `hold_lock`."""

    instance: str
    owner: str
    verify: Callable[[], None] = _held_by_the_kernel
    """Raises when the lock is no longer held: a PostgreSQL lock ends with its connection (a server restart,
    `pg_terminate_backend`, a network cut), and only a query on that connection can tell."""


@contextmanager
def hold_lock(engine: Engine, instance: str, owner: str, *, clock: Clock = utc_now) -> Iterator[HeldLock]:
    path = lock_file(engine, instance)
    if path is None:
        with _advisory_lock(engine, instance, owner, clock) as held:
            yield held
    else:
        with _file_lock(engine, path, instance, owner, clock) as held:
            yield held


def lock_file(engine: Engine, instance: str) -> Path | None:
    """`crm-kpi.db.<instance>.lock` beside a SQLite database file (the store is always a file); None for
    PostgreSQL."""
    database = engine.url.database
    if engine.dialect.name != "sqlite" or not database:
        return None
    safe = re.sub(r"[^A-Za-z0-9_.-]", "_", instance)
    return Path(database).with_name(f"{Path(database).name}.{safe}.lock")


@contextmanager
def _file_lock(engine: Engine, path: Path, instance: str, owner: str, clock: Clock) -> Iterator[HeldLock]:
    held = FileLock(path, timeout=0)
    try:
        held.acquire()
    except Timeout:
        with engine.connect() as connection:
            holder = connection.execute(sa.select(locks.c.owner).where(locks.c.instance == instance)).scalar()
        raise InstanceLocked(instance, holder) from None
    try:
        with engine.begin() as connection:
            # A row left by a holder that died is stale: the OS lock just proved nobody holds it.
            insert = sqlite.insert(locks).values(
                instance=instance, owner=owner, acquired_at=clock(), expires_at=None
            )
            connection.execute(
                insert.on_conflict_do_update(
                    index_elements=[locks.c.instance],
                    set_={"owner": owner, "acquired_at": clock(), "expires_at": None},
                )
            )
        yield HeldLock(instance, owner)
    finally:
        with engine.begin() as connection:
            connection.execute(locks.delete().where(locks.c.instance == instance, locks.c.owner == owner))
        held.release()


@contextmanager
def _advisory_lock(engine: Engine, instance: str, owner: str, clock: Clock) -> Iterator[HeldLock]:
    # The key is scoped to the schema as well as the instance: two stores in one database don't collide.
    key = sa.func.hashtextextended(sa.func.current_schema() + "|crm-kpi|" + instance, 0)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        if not connection.execute(sa.select(sa.func.pg_try_advisory_lock(key))).scalar_one():
            holder = connection.execute(sa.select(locks.c.owner).where(locks.c.instance == instance)).scalar()
            raise InstanceLocked(instance, holder)
        try:
            _write_holder(connection, instance, owner, clock(), None)
            yield HeldLock(instance, owner, lambda: _still_connected(connection))
        finally:
            # A session that died took its lock with it; the next holder overwrites the `locks` row.
            if not connection.invalidated:
                connection.execute(locks.delete().where(locks.c.instance == instance, locks.c.owner == owner))
                connection.execute(sa.select(sa.func.pg_advisory_unlock(key)))


def _write_holder(
    connection: sa.Connection, instance: str, owner: str, now: datetime, expires: datetime | None
) -> None:
    insert = postgresql.insert(locks).values(
        instance=instance, owner=owner, acquired_at=now, expires_at=expires
    )
    connection.execute(
        insert.on_conflict_do_update(
            index_elements=[locks.c.instance],
            set_={"owner": owner, "acquired_at": now, "expires_at": expires},
        )
    )


def _still_connected(connection: sa.Connection) -> None:
    """A query on the lock's own session: it answers only while the session, and so its lock, lives."""
    connection.execute(sa.select(1)).scalar_one()
