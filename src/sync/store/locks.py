"""One run per instance at a time: a lock in the store, held as a context manager.

PostgreSQL: a session advisory lock on a connection held for the run; the server drops it when that
connection ends, so a killed process never leaves it behind. SQLite has no such thing: a lease row in
`locks` with an expiry, renewed at checkpoints (`Lease.renew`); a holder that died stops renewing and the
lease is taken over once it has expired. Both also keep the holder in `locks`, for `status`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine

from sync.store.tables import locks

Clock = Callable[[], datetime]
DEFAULT_LEASE = timedelta(minutes=10)


class InstanceLocked(RuntimeError):
    """Another run holds the instance's lock."""

    def __init__(self, instance: str, owner: str | None, expires_at: datetime | None) -> None:
        held = f"run {owner}" if owner else "another run"
        until = f" (lease until {expires_at.isoformat(timespec='seconds')})" if expires_at else ""
        super().__init__(
            f"instance {instance!r} is being synced by {held}{until}; try again when it has finished"
        )
        self.instance = instance
        self.owner = owner
        self.expires_at = expires_at


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Lease:
    """The held lock. `renew()` at each checkpoint keeps a SQLite lease from expiring under a long run."""

    instance: str
    owner: str
    expires_at: datetime | None
    _renew: Callable[[], datetime | None] = field(repr=False)

    def renew(self) -> None:
        self.expires_at = self._renew()


@contextmanager
def hold_lock(
    engine: Engine, instance: str, owner: str, *, lease: timedelta = DEFAULT_LEASE, clock: Clock = utc_now
) -> Iterator[Lease]:
    if engine.dialect.name == "postgresql":
        with _advisory_lock(engine, instance, owner, clock) as held:
            yield held
    else:
        with _leased_lock(engine, instance, owner, lease, clock) as held:
            yield held


@contextmanager
def _advisory_lock(engine: Engine, instance: str, owner: str, clock: Clock) -> Iterator[Lease]:
    # The key is scoped to the schema as well as the instance: two stores in one database don't collide.
    key = sa.func.hashtextextended(sa.func.current_schema() + "|crm-kpi|" + instance, 0)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        if not connection.execute(sa.select(sa.func.pg_try_advisory_lock(key))).scalar_one():
            holder = connection.execute(sa.select(locks.c.owner).where(locks.c.instance == instance)).scalar()
            raise InstanceLocked(instance, holder, None)
        try:
            _write_holder(connection, instance, owner, clock(), None)
            yield Lease(instance, owner, None, lambda: None)
        finally:
            connection.execute(locks.delete().where(locks.c.instance == instance, locks.c.owner == owner))
            connection.execute(sa.select(sa.func.pg_advisory_unlock(key)))


@contextmanager
def _leased_lock(
    engine: Engine, instance: str, owner: str, lease: timedelta, clock: Clock
) -> Iterator[Lease]:
    now = clock()
    with engine.begin() as connection:
        insert = sqlite.insert(locks).values(
            instance=instance, owner=owner, acquired_at=now, expires_at=now + lease
        )
        connection.execute(
            insert.on_conflict_do_update(
                index_elements=[locks.c.instance],
                set_={"owner": owner, "acquired_at": now, "expires_at": now + lease},
                where=locks.c.expires_at <= now,
            )
        )
        holder = connection.execute(sa.select(locks).where(locks.c.instance == instance)).one()
    if holder.owner != owner:
        raise InstanceLocked(instance, holder.owner, holder.expires_at)

    def renew() -> datetime:
        expires = clock() + lease
        with engine.begin() as connection:
            done = connection.execute(
                locks.update()
                .where(locks.c.instance == instance, locks.c.owner == owner)
                .values(expires_at=expires)
            )
        if done.rowcount != 1:
            raise InstanceLocked(instance, None, None)  # the lease expired and another run took it over
        return expires

    try:
        yield Lease(instance, owner, now + lease, renew)
    finally:
        with engine.begin() as connection:
            connection.execute(locks.delete().where(locks.c.instance == instance, locks.c.owner == owner))


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
