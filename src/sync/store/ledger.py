"""The write ledger: per write-back target, what was last written to the CRM and how the last attempt went.

The planner reads it to skip values the CRM already has; a rejected write stays `failed` with the CRM's
error until a later run writes it (`ok`) or finds it no longer needs writing (`superseded`).
`written` only ever holds values the CRM accepted; `attempted` the values of the last failed attempt.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from connectors.base import FieldWrite, SnapshotWrite, WriteResult
from sync.store.tables import write_ledger

LedgerStatus = Literal["ok", "failed", "superseded"]
TargetKind = Literal["snapshot", "field"]
Values = dict[str, float | None]

SNAPSHOT_VALUES = ("value", "numerator", "denominator")
"""What a snapshot record's ledger entry (and its `CurrentValue.values`) holds."""


@dataclass(frozen=True)
class LedgerEntry:
    key: str
    kind: TargetKind
    crm_id: str | None
    written: Values | None
    """The values the CRM last accepted (None: never written)."""
    attempted: Values | None
    """The values of the last failed attempt (None after a success)."""
    status: LedgerStatus
    error_code: str | None
    message: str | None
    attempts: int
    """Failed attempts since the last success."""
    run: str | None
    written_at: datetime | None
    attempted_at: datetime


def written_values(write: SnapshotWrite | FieldWrite) -> tuple[TargetKind, Values]:
    """The values a write puts into the CRM, as the ledger keeps them."""
    if isinstance(write, SnapshotWrite):
        return "snapshot", {name: getattr(write, name) for name in SNAPSHOT_VALUES}
    return "field", dict(write.values)


def read_ledger(connection: sa.Connection, instance: str) -> dict[str, LedgerEntry]:
    rows = connection.execute(sa.select(write_ledger).where(write_ledger.c.instance == instance))
    return {row.target_key: _entry(row) for row in rows}


def read_failed(connection: sa.Connection, instance: str | None, limit: int) -> list[LedgerEntry]:
    """Writes the CRM rejected and no later run has written or settled, the latest first."""
    query = (
        sa.select(write_ledger)
        .where(write_ledger.c.status == "failed")
        .order_by(write_ledger.c.attempted_at.desc(), write_ledger.c.target_key)
        .limit(limit)
    )
    if instance is not None:
        query = query.where(write_ledger.c.instance == instance)
    return [_entry(row) for row in connection.execute(query)]


def _entry(row: sa.Row[Any]) -> LedgerEntry:
    return LedgerEntry(
        key=row.target_key,
        kind=row.kind,
        crm_id=row.crm_id,
        written=row.written,
        attempted=row.attempted,
        status=row.status,
        error_code=row.error_code,
        message=row.message,
        attempts=row.attempts,
        run=row.run,
        written_at=row.written_at,
        attempted_at=row.attempted_at,
    )


def record_results(
    connection: sa.Connection,
    instance: str,
    run: str | None,
    writes: Sequence[SnapshotWrite | FieldWrite],
    results: Sequence[WriteResult],
    now: datetime,
) -> None:
    """Enter the CRM's answer to each write (results in the order of the writes, as connectors give them)."""
    if len(writes) != len(results):
        raise ValueError(
            f"{len(writes)} writes but {len(results)} results; a connector returns one per write"
        )
    keys = [write.key for write in writes]
    stored = _stored(connection, instance, keys)
    rows = []
    for write, result in zip(writes, results, strict=True):
        if result.key != write.key:
            raise ValueError(
                f"result for {result.key!r} where {write.key!r} was written; results must keep order"
            )
        kind, values = written_values(write)
        before = stored.get(write.key)
        if result.ok:
            merged = (
                {**(before.written or {}), **values} if before is not None and kind == "field" else values
            )
            rows.append(
                _row(
                    instance,
                    run,
                    write.key,
                    kind,
                    result.crm_id or (before.crm_id if before else None),
                    merged,
                    None,
                    "ok",
                    None,
                    None,
                    0,
                    now,
                    now,
                )
            )
        else:
            rows.append(
                _row(
                    instance,
                    run,
                    write.key,
                    kind,
                    before.crm_id if before else None,
                    before.written if before else None,
                    values,
                    "failed",
                    result.error_code,
                    result.message,
                    (before.attempts if before else 0) + 1,
                    before.written_at if before else None,
                    now,
                )
            )
    _upsert(connection, rows)


def mark_superseded(connection: sa.Connection, instance: str, keys: Sequence[str], now: datetime) -> None:
    """Failed entries whose values no longer need writing: closed, with their error kept for the record."""
    if keys:
        connection.execute(
            write_ledger.update()
            .where(
                write_ledger.c.instance == instance,
                write_ledger.c.target_key.in_(keys),
                write_ledger.c.status == "failed",
            )
            .values(status="superseded", attempted_at=now)
        )


def _stored(connection: sa.Connection, instance: str, keys: Sequence[str]) -> dict[str, LedgerEntry]:
    found: dict[str, LedgerEntry] = {}
    for start in range(0, len(keys), 500):  # bounded IN lists (SQLite's variable limit)
        chunk = keys[start : start + 500]
        rows = connection.execute(
            sa.select(write_ledger).where(
                write_ledger.c.instance == instance, write_ledger.c.target_key.in_(chunk)
            )
        )
        found.update((row.target_key, _entry(row)) for row in rows)
    return found


def _row(
    instance: str,
    run: str | None,
    key: str,
    kind: str,
    crm_id: str | None,
    written: Mapping[str, float | None] | None,
    attempted: Mapping[str, float | None] | None,
    status: LedgerStatus,
    error_code: str | None,
    message: str | None,
    attempts: int,
    written_at: datetime | None,
    attempted_at: datetime,
) -> dict[str, object]:
    return {
        "instance": instance,
        "target_key": key,
        "kind": kind,
        "crm_id": crm_id,
        "written": None if written is None else dict(written),
        "attempted": None if attempted is None else dict(attempted),
        "status": status,
        "error_code": error_code,
        "message": message,
        "attempts": attempts,
        "run": run,
        "written_at": written_at,
        "attempted_at": attempted_at,
    }


def _upsert(connection: sa.Connection, rows: list[dict[str, object]]) -> None:
    if not rows:
        return
    insert = (postgresql.insert if connection.dialect.name == "postgresql" else sqlite.insert)(write_ledger)
    connection.execute(
        insert.on_conflict_do_update(
            index_elements=[write_ledger.c.instance, write_ledger.c.target_key],
            set_={name: insert.excluded[name] for name in rows[0] if name not in ("instance", "target_key")},
        ),
        rows,
    )
