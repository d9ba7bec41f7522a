"""One run of one instance: extract → store → compute → plan → write → ledger, checkpointed.

Why it is safe to kill at any point (kill -9 included):
- each extracted batch is stored with the cursor that covers it in one transaction, so a rerun resumes
  after the last stored batch and never skips or half-stores one;
- the compute is a pure function of the store, so a rerun recomputes the same values;
- snapshot records are upserted by their key, so a write repeated after a kill updates the record it
  created instead of duplicating it; field writes are idempotent updates;
- the ledger records each written chunk after the CRM answered, and the planner skips a value only when
  it equals both the ledger and the CRM's current value — a write the CRM took but the ledger missed is
  written again, with the same value.
A stop request (SIGTERM) is honoured at the same checkpoints: after a stored batch, after a written chunk.
Before each stored batch and each written chunk the run also proves it still holds its instance's lock
(`HeldLock.verify`): a PostgreSQL lock dies with its connection, and a run that lost it must not write
beside the run that may have taken it since — it ends `interrupted`, and the next run resumes.
"""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import TypeVar

from connectors.base import Connector, CurrentValue, FieldWrite, SnapshotWrite, Stream, WriteResult
from connectors.config import InstanceConfig
from connectors.errors import ConnectorError, StopRun
from sync.compute_for_writeback import writeback_values
from sync.observer import RunObserver, SilentObserver
from sync.settings import Settings
from sync.store.connection import connection_lost
from sync.store.locks import HeldLock
from sync.store.run_history import RunStatus
from sync.store.store import Store
from sync.writeback.plan import Plan
from sync.writeback.planner import PlanContext, plan_writes

W = TypeVar("W", SnapshotWrite, FieldWrite)

WRITE_CHUNK_CALLS = 5
"""A checkpoint (ledger entry, stop check) every this many full write batches."""
CRM_BATCH = {"salesforce": 200, "hubspot": 100}
DRY_RUN_MESSAGE = "dry run: nothing written"
NO_SNAPSHOTS = (
    "this CRM cannot hold KPI snapshot records (a HubSpot portal without custom objects, which need "
    "Enterprise): only the KPI fields on deals and companies were written"
)


class RunStopped(Exception):
    """A stop was requested (SIGTERM) and the run ended at a checkpoint with its progress saved."""


class RunFailed(Exception):
    """The run cannot go on (too many quarantined records, a refused plan); nothing more is written."""


@dataclass(frozen=True)
class RunOptions:
    full: bool = False
    dry_run: bool = False
    as_of: date | None = None
    go_on: bool = False
    """Apply a first sync larger than `[writeback] max_first_sync_records` (`sync --yes`)."""
    streams: Sequence[str] | None = None
    """Only these streams (by CRM object name); None = all."""


@dataclass
class RunReport:
    instance: str
    run_id: str | None = None
    status: RunStatus = "running"
    extracted: dict[str, int] = field(default_factory=dict)
    """Records stored per stream."""
    quarantined: dict[str, int] = field(default_factory=dict)
    """Quarantined records per table."""
    stored: dict[str, int] = field(default_factory=dict)
    """Records stored per table."""
    plan: Plan | None = None
    written: int = 0
    rejected: int = 0
    retryable: int = 0
    api_calls: int = 0
    api_daily_used: int | None = None
    api_daily_limit: int | None = None
    message: str | None = None

    @property
    def read(self) -> int:
        return sum(self.extracted.values())


def checkpoint(stop: threading.Event | None) -> None:
    if stop is not None and stop.is_set():
        raise RunStopped("stopped on request at a checkpoint; the next run resumes from here")


@dataclass(frozen=True)
class RunGuard:
    """What a run checks at its checkpoints: a stop request, and that it still holds its instance's lock."""

    stop: threading.Event | None
    held: HeldLock

    def checkpoint(self) -> None:
        checkpoint(self.stop)

    def still_locked(self) -> None:
        """Raises (a database error) when the lock's connection is gone: call it before storing or writing."""
        self.held.verify()


def run_owner() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def run_instance(
    instance: InstanceConfig,
    settings: Settings,
    store: Store,
    connector: Connector,
    options: RunOptions = RunOptions(),
    *,
    observer: RunObserver | None = None,
    stop: threading.Event | None = None,
    run_id: str | None = None,
) -> RunReport:
    """One sync of `instance`, holding its lock; raises `InstanceLocked` when another run holds it."""
    observer = observer or SilentObserver()
    with store.lock(instance.name, run_owner()) as held:
        report = RunReport(instance.name, store.start_run(instance.name, run_id))
        try:
            _run(instance, settings, store, connector, options, observer, RunGuard(stop, held), report)
        except (StopRun, RunStopped) as stopped:
            report.status, report.message = "interrupted", str(stopped)
        except (RunFailed, ConnectorError) as failed:
            report.status, report.message = "failed", str(failed)
        except BaseException as crashed:
            if connection_lost(crashed):
                # The store went away mid-run: nothing is half stored, so the next run resumes from here.
                report.status, report.message = "interrupted", f"the store's connection was lost: {crashed}"
            else:
                report.status, report.message = "failed", f"{type(crashed).__name__}: {crashed}"
            raise
        finally:
            usage = connector.usage
            report.api_calls = usage.calls
            report.api_daily_used, report.api_daily_limit = usage.daily_used, usage.daily_limit
            store.finish_run(
                report.run_id or "",
                report.status,
                api_calls=report.api_calls,
                writes=report.written,
                write_errors=report.rejected,
                message=report.message,
            )
            observer.finished(instance.name, report)
    return report


def _run(
    instance: InstanceConfig,
    settings: Settings,
    store: Store,
    connector: Connector,
    options: RunOptions,
    observer: RunObserver,
    guard: RunGuard,
    report: RunReport,
) -> None:
    previous = _last_written_run(store, instance.name)
    for stream in connector.streams():
        if options.streams is None or stream.name in options.streams:
            _extract_stream(instance, store, connector, stream, options.full, observer, guard, report)
    _check_quarantine(settings, report)
    observer.phase(instance.name, "compute")
    as_of = options.as_of or datetime.now(UTC).date()
    snapshots = connector.snapshots_supported()
    values = writeback_values(
        lambda columns: store.dataset(instance.name, columns),
        settings.kpis,
        settings.writeback,
        as_of,
        snapshots=snapshots,
    )
    observer.phase(instance.name, "read current CRM values")
    current = list(_current_values(connector, settings, instance, previous))
    context = PlanContext(
        instance=instance.name,
        crm=instance.crm,
        computed_at=datetime.now(UTC),
        user_fields=instance.user_fields,
        snapshots=snapshots,
        go_on=options.go_on,
    )
    plan = plan_writes(values, store.ledger(instance.name), current, settings.writeback, context)
    report.plan = plan
    if options.dry_run:
        report.status = "ok"
        report.message = DRY_RUN_MESSAGE
        return
    if plan.blocked:
        raise RunFailed(plan.blocked)
    _apply(instance, store, connector, plan, observer, guard, report)
    store.settle(instance.name, plan.settled)
    report.status = "partial" if (report.rejected or report.quarantined) else "ok"
    if not snapshots:
        report.message = NO_SNAPSHOTS


def _extract_stream(
    instance: InstanceConfig,
    store: Store,
    connector: Connector,
    stream: Stream,
    full: bool,
    observer: RunObserver,
    guard: RunGuard,
    report: RunReport,
) -> None:
    observer.phase(instance.name, f"extract {stream.name}")
    cursor = None if full else store.cursor(instance.name, stream.name)
    # Records a complete read no longer returns are gone from the CRM — but only when this run read the
    # stream from its start: a read resumed after a kill returns only the rest of it.
    whole = cursor is None
    tables: set[str] = set()
    for batch in connector.extract(stream, cursor, full=full):
        guard.still_locked()
        saved = store.save_batch(instance.name, batch, run=report.run_id)
        tables.add(batch.table)
        whole = whole and batch.full
        report.extracted[stream.name] = report.extracted.get(stream.name, 0) + saved.records
        report.stored[batch.table] = report.stored.get(batch.table, 0) + saved.records
        if saved.quarantined:
            report.quarantined[batch.table] = report.quarantined.get(batch.table, 0) + saved.quarantined
        observer.advance(instance.name, saved.records + saved.quarantined)
        guard.checkpoint()
    if whole and tables and report.run_id:
        for table in sorted(tables):
            store.tombstone_unseen(instance.name, table, stream.name, report.run_id)


def quarantine_breaches(report: RunReport, max_share: float) -> list[str]:
    """Tables of which more than `max_share` of the records this run read were quarantined."""
    breaches = []
    for table, bad in sorted(report.quarantined.items()):
        read = bad + report.stored.get(table, 0)
        if bad > max_share * read:
            breaches.append(f"{table} {bad:,} of {read:,} ({bad / read:.1%})")
    return breaches


def _check_quarantine(settings: Settings, report: RunReport) -> None:
    """Past the threshold the data is too broken to compute from: stop before anything is written."""
    breaches = quarantine_breaches(report, settings.kpis.max_quarantined_share)
    if breaches:
        raise RunFailed(
            f"records quarantined: {', '.join(breaches)}, more than [kpis] max_quarantined_share "
            f"{settings.kpis.max_quarantined_share:.0%} of a table; nothing was written. "
            "`crm-kpi status` lists them with their reasons"
        )


def _last_written_run(store: Store, instance: str) -> datetime | None:
    """When the last run that brought the CRM in line with the ledger started (dry runs change nothing)."""
    for run in store.runs(instance, limit=100):
        if run.status in ("ok", "partial") and run.message != DRY_RUN_MESSAGE:
            return run.started_at
    return None


def _current_values(
    connector: Connector, settings: Settings, instance: InstanceConfig, previous: datetime | None
) -> Iterator[CurrentValue]:
    """What the CRM holds now, for targets changed since the last run that wrote (nothing before one)."""
    if previous is None:
        return
    since = previous - timedelta(seconds=instance.lookback_seconds)
    yield from connector.read_snapshots(since)
    for target in settings.writeback.fields:
        if target.object == "user" and not (instance.user_fields and instance.crm == "salesforce"):
            continue
        yield from connector.read_fields(target.object, target.kpis, since)


def _chunks(writes: Sequence[W], size: int) -> Iterator[Sequence[W]]:
    for start in range(0, len(writes), size):
        yield writes[start : start + size]


def _apply(
    instance: InstanceConfig,
    store: Store,
    connector: Connector,
    plan: Plan,
    observer: RunObserver,
    guard: RunGuard,
    report: RunReport,
) -> None:
    observer.phase(instance.name, "write back", total=len(plan.snapshot_writes) + len(plan.field_writes))
    progress = _WriteProgress(instance, store, observer, guard, report)
    progress.write_all(plan.snapshot_writes, connector.write_snapshots)
    progress.write_all(plan.field_writes, connector.write_fields)


@dataclass
class _WriteProgress:
    """Writes in chunks of a few full CRM batches; after each, the ledger and a stop check."""

    instance: InstanceConfig
    store: Store
    observer: RunObserver
    guard: RunGuard
    report: RunReport

    def write_all(self, writes: Sequence[W], write: Callable[[Sequence[W]], list[WriteResult]]) -> None:
        size = CRM_BATCH[self.instance.crm] * WRITE_CHUNK_CALLS
        for chunk in _chunks(writes, size):
            self.guard.still_locked()
            results = write(chunk)
            self.store.record_writes(self.instance.name, self.report.run_id, chunk, results)
            self.report.written += sum(1 for result in results if result.ok)
            self.report.rejected += sum(1 for result in results if not result.ok)
            self.report.retryable += sum(1 for result in results if not result.ok and result.retryable)
            self.observer.advance(self.instance.name, len(chunk))
            self.guard.checkpoint()
