"""Storing a batch: its records upserted by (instance, id), its quarantined rows and its cursor, in one
transaction, so a run killed between two batches resumes exactly after the last one stored.

An upsert never replaces a row with an older version of it (`modified_at` earlier than the stored one):
incremental reads overlap by a look-back window and a resumed run re-reads its last page.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

import orjson
import sqlalchemy as sa
from pydantic import BaseModel, ValidationError
from sqlalchemy.dialects import postgresql, sqlite

from connectors.base import Batch, Cursor, Quarantined, RecordTable
from kpi_engine.schema import describe_rejection
from sync.store.tables import RECORD_MODELS, cursors, quarantine, record_columns, record_table, runs


def record_rows(
    instance: str, table: str, records: Sequence[BaseModel | Mapping[str, Any]], stream: str, run: str | None
) -> tuple[list[dict[str, Any]], list[Quarantined]]:
    """Rows for `table`; a mapping is validated with the table's model first, and one that fails is
    quarantined rather than stored half-right."""
    model = RECORD_MODELS[table]
    columns = record_columns(table)
    rows: list[dict[str, Any]] = []
    rejected: list[Quarantined] = []
    for record in records:
        if isinstance(record, BaseModel):
            valid = record
        else:
            try:
                valid = model.model_validate(dict(record))
            except ValidationError as exc:
                rejected.append(_rejected(table, stream, record, describe_rejection(exc)))
                continue
        row = {name: getattr(valid, name, None) for name in columns}
        row.update(instance=instance, sync_stream=stream, sync_run=run)
        rows.append(row)
    return rows, rejected


def _rejected(table: str, stream: str, raw: Mapping[str, Any], reason: str) -> Quarantined:
    crm_id = raw.get("id")
    return Quarantined(cast(RecordTable, table), stream, None if crm_id is None else str(crm_id), reason, raw)


def upsert_records(connection: sa.Connection, table_name: str, rows: list[dict[str, Any]]) -> None:
    """Insert or update by (instance, id), unless the stored row is newer."""
    if not rows:
        return
    table = record_table(table_name)
    insert = (postgresql.insert if connection.dialect.name == "postgresql" else sqlite.insert)(table)
    excluded = insert.excluded
    newer_or_equal = sa.or_(
        table.c.modified_at.is_(None),
        excluded.modified_at.is_(None),
        excluded.modified_at >= table.c.modified_at,
    )
    statement = insert.on_conflict_do_update(
        index_elements=[table.c.instance, table.c.id],
        set_={name: excluded[name] for name in rows[0] if name not in ("instance", "id")},
        where=newer_or_equal,
    )
    connection.execute(statement, rows)


def insert_quarantined(
    connection: sa.Connection, instance: str, run: str | None, rows: Iterable[Quarantined], now: datetime
) -> int:
    values = [
        {
            "instance": instance,
            "run": run,
            "table_name": row.table,
            "crm_object": row.crm_object,
            "crm_id": row.crm_id,
            "reason": row.reason,
            "raw": _jsonable(row.raw),
            "quarantined_at": now,
        }
        for row in rows
    ]
    if values:
        connection.execute(quarantine.insert(), values)
    return len(values)


def _jsonable(raw: Mapping[str, Any]) -> Any:
    """The raw CRM row as JSON values (dates and decimals as text), exactly as it will be shown later."""
    return orjson.loads(orjson.dumps(raw, default=str, option=orjson.OPT_NON_STR_KEYS))


def save_cursor(
    connection: sa.Connection,
    instance: str,
    stream: str,
    cursor: Cursor | None,
    run: str | None,
    now: datetime,
) -> None:
    insert = (postgresql.insert if connection.dialect.name == "postgresql" else sqlite.insert)(cursors)
    values = {"instance": instance, "stream": stream, "cursor": cursor, "run": run, "updated_at": now}
    connection.execute(
        insert.values(values).on_conflict_do_update(
            index_elements=[cursors.c.instance, cursors.c.stream],
            set_={"cursor": cursor, "run": run, "updated_at": now},
        )
    )


def count_into_run(connection: sa.Connection, run: str, stream: str, records: int, quarantined: int) -> None:
    """Add a batch's counts to its run in the batch's transaction (a killed run shows what it stored)."""
    found = connection.execute(
        sa.select(runs.c.counts, runs.c.quarantined).where(runs.c.run_id == run)
    ).one_or_none()
    if found is None:
        raise KeyError(f"run {run!r} was not started in this store (Store.start_run)")
    counts = dict(found.counts)
    counts[stream] = counts.get(stream, 0) + records
    connection.execute(
        runs.update()
        .where(runs.c.run_id == run)
        .values(counts=counts, quarantined=found.quarantined + quarantined)
    )


def save_batch(
    connection: sa.Connection, instance: str, batch: Batch, run: str | None, now: datetime
) -> tuple[int, int]:
    """Everything of one batch, inside the caller's transaction. Returns (records stored, quarantined)."""
    rows, rejected = record_rows(instance, batch.table, batch.records, batch.stream, run)
    upsert_records(connection, batch.table, rows)
    quarantined = insert_quarantined(connection, instance, run, [*batch.quarantined, *rejected], now)
    if batch.cursor is not None:
        save_cursor(connection, instance, batch.stream, batch.cursor, run, now)
    if run is not None:
        count_into_run(connection, run, batch.stream, len(rows), quarantined)
    return len(rows), quarantined


def tombstone_unseen(
    connection: sa.Connection, instance: str, table_name: str, stream: str, runs: Sequence[str]
) -> int:
    """After a full read of `stream` by `runs`: its rows that the read did not return are gone from the CRM.

    `runs` are every run that stored part of that one full read: the run that started it and the runs that
    resumed it after an interruption (the last of them first). Rows stored by a run not listed were not seen
    by the read and are marked deleted, stamped with the first run listed.
    """
    if not runs:
        raise ValueError("name the run(s) that made the full read")
    table = record_table(table_name)
    done = connection.execute(
        table.update()
        .where(
            table.c.instance == instance,
            table.c.sync_stream == stream,
            sa.or_(table.c.sync_run.is_(None), table.c.sync_run.not_in(list(runs))),
            sa.or_(table.c.deleted.is_(None), sa.not_(table.c.deleted)),
        )
        .values(deleted=True, sync_run=runs[0])
    )
    return done.rowcount


@dataclass(frozen=True)
class QuarantineEntry:
    instance: str
    run: str | None
    table: str
    crm_object: str
    crm_id: str | None
    reason: str
    raw: Any
    quarantined_at: datetime


def select_quarantined(
    connection: sa.Connection, instance: str | None, run: str | None, limit: int
) -> list[QuarantineEntry]:
    query = sa.select(quarantine).order_by(quarantine.c.seq.desc()).limit(limit)
    if instance is not None:
        query = query.where(quarantine.c.instance == instance)
    if run is not None:
        query = query.where(quarantine.c.run == run)
    return [
        QuarantineEntry(
            row.instance,
            row.run,
            row.table_name,
            row.crm_object,
            row.crm_id,
            row.reason,
            row.raw,
            row.quarantined_at,
        )
        for row in connection.execute(query)
    ]
