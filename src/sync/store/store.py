"""The local store: one object for everything a run keeps between runs (records, cursors, quarantine, the
write ledger, run history, the per-instance lock), on a SQLite file or PostgreSQL.

Every method is one transaction. The pipeline's contract: `save_batch` per batch (records + cursor
atomically), `dataset` for the compute, `ledger` + `record_writes` around the write-back, `start_run` /
`finish_run` around a run, all inside `lock(instance, run_id)`.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from types import TracebackType

import polars as pl
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from connectors.base import Batch, Cursor, FieldWrite, SnapshotWrite, WriteResult
from kpi_engine.dataset import Dataset
from sync.store import ledger as ledger_rows
from sync.store import records, run_history
from sync.store.connection import DEFAULT_URL, create_store_engine
from sync.store.export import export_instance
from sync.store.ledger import LedgerEntry
from sync.store.locks import Clock, HeldLock, hold_lock, utc_now
from sync.store.migrate import upgrade
from sync.store.reading import read_dataset, read_table
from sync.store.records import QuarantineEntry
from sync.store.run_history import RunRecord, RunStatus
from sync.store.tables import cursors


@dataclass(frozen=True)
class BatchSaved:
    records: int
    quarantined: int
    """The batch's own quarantined rows plus mappings that failed validation here."""


class Store:
    """Open with `Store.open(url)`; close with `close()` or a `with` block."""

    def __init__(self, engine: Engine, *, clock: Clock = utc_now) -> None:
        self.engine = engine
        self._clock = clock

    @classmethod
    def open(cls, url: str = DEFAULT_URL, *, clock: Clock = utc_now) -> Store:
        """Connect and migrate to the latest schema (a new store is created; an older one upgraded)."""
        engine = create_store_engine(url)
        upgrade(engine)
        return cls(engine, clock=clock)

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *_exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        self.close()

    # Records and cursors

    def save_batch(self, instance: str, batch: Batch, *, run: str | None = None) -> BatchSaved:
        """Upsert the batch's records, add its quarantined rows, move its stream's cursor: all or nothing."""
        with self.engine.begin() as connection:
            stored, quarantined = records.save_batch(connection, instance, batch, run, self._clock())
        return BatchSaved(stored, quarantined)

    def cursors(self, instance: str) -> dict[str, Cursor | None]:
        with self.engine.connect() as connection:
            rows = connection.execute(
                sa.select(cursors.c.stream, cursors.c.cursor).where(cursors.c.instance == instance)
            )
            return {row.stream: row.cursor for row in rows}

    def cursor(self, instance: str, stream: str) -> Cursor | None:
        return self.cursors(instance).get(stream)

    def tombstone_unseen(self, instance: str, table: str, stream: str, runs: str | Sequence[str]) -> int:
        """After a full read (`Batch.full`) of `stream`: mark what it did not return as deleted. `runs`: the
        run that made the read, or every run that stored part of it when it was resumed after a kill (else
        the rows stored before the kill would count as unseen)."""
        with self.engine.begin() as connection:
            return records.tombstone_unseen(
                connection, instance, table, stream, [runs] if isinstance(runs, str) else list(runs)
            )

    # Reading

    def dataset(self, instance: str, columns: Mapping[str, Sequence[str]] | None = None) -> Dataset:
        """The instance's records for `kpi_engine.compute` (org scope id = the instance name)."""
        return read_dataset(self.engine, instance, columns)

    def table(
        self, instance: str, table: str, columns: Sequence[str] | None = None, *, include_deleted: bool = True
    ) -> pl.DataFrame:
        return read_table(self.engine, instance, table, columns, include_deleted=include_deleted)

    def export(self, instance: str, directory: Path) -> dict[str, int]:
        """Write the instance's live records as the files of `compute --input`; returns rows per file."""
        return export_instance(self.engine, instance, Path(directory))

    def quarantined(
        self, instance: str | None = None, *, run: str | None = None, limit: int = 100
    ) -> list[QuarantineEntry]:
        with self.engine.connect() as connection:
            return records.select_quarantined(connection, instance, run, limit)

    # The write ledger

    def ledger(self, instance: str) -> dict[str, LedgerEntry]:
        with self.engine.connect() as connection:
            return ledger_rows.read_ledger(connection, instance)

    def record_writes(
        self,
        instance: str,
        run: str | None,
        writes: Sequence[SnapshotWrite | FieldWrite],
        results: Sequence[WriteResult],
    ) -> None:
        """Enter one connector call's results (one per write, in order) in the ledger."""
        with self.engine.begin() as connection:
            ledger_rows.record_results(connection, instance, run, writes, results, self._clock())

    def failed_writes(self, instance: str | None = None, *, limit: int = 100) -> list[LedgerEntry]:
        """Rejected writes still waiting for a later run (for `status` and the report)."""
        with self.engine.connect() as connection:
            return ledger_rows.read_failed(connection, instance, limit)

    def settle(self, instance: str, keys: Sequence[str]) -> None:
        """Close failed entries that no longer need writing (`Plan.settled`)."""
        with self.engine.begin() as connection:
            ledger_rows.mark_superseded(connection, instance, keys, self._clock())

    # Runs and the lock

    def new_run_id(self) -> str:
        """A run id that sorts by start time: take the lock with it, then `start_run` with it."""
        return f"{self._clock():%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:8]}"

    def start_run(self, instance: str, run_id: str | None = None) -> str:
        """Open a run row (status `running`); earlier runs of the instance left `running` become
        `interrupted` — call it while holding the instance's lock. A `run_id` the store already has is
        opened again (a worker resuming the run of a job that was redelivered): its counts carry on."""
        run_id = run_id or self.new_run_id()
        with self.engine.begin() as connection:
            run_history.mark_abandoned(connection, instance, self._clock())
            run_history.insert_run(connection, run_id, instance, self._clock())
        return run_id

    def finish_run(
        self,
        run_id: str,
        status: RunStatus,
        *,
        api_calls: int = 0,
        writes: int = 0,
        write_errors: int = 0,
        message: str | None = None,
    ) -> None:
        with self.engine.begin() as connection:
            run_history.close_run(
                connection,
                run_id,
                status,
                self._clock(),
                api_calls=api_calls,
                writes=writes,
                write_errors=write_errors,
                message=message,
            )

    def runs(self, instance: str | None = None, *, limit: int = 20) -> list[RunRecord]:
        """The latest runs first."""
        with self.engine.connect() as connection:
            return run_history.select_runs(connection, instance, limit)

    def run(self, run_id: str) -> RunRecord | None:
        """One run by its id (None when it never started)."""
        with self.engine.connect() as connection:
            return run_history.select_run(connection, run_id)

    @contextmanager
    def lock(self, instance: str, owner: str) -> Iterator[HeldLock]:
        """Hold the instance's lock for the block, or raise `InstanceLocked` at once if another run has it."""
        with hold_lock(self.engine, instance, owner, clock=self._clock) as held:
            yield held

    def now(self) -> datetime:
        return self._clock()
