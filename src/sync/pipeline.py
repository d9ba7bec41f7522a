"""One run of one instance: extract → store → compute → plan → write → ledger, checkpointed.

Why it is safe to kill at any point (kill -9 included):
- each extracted batch is stored with the cursor that covers it in one transaction, so a rerun resumes
  after the last stored batch and never skips or half-stores one;
- the compute is a pure function of the store, so a rerun recomputes the same values;
- snapshot records are upserted by their key, so a write repeated after a kill updates the record it
  created instead of duplicating it; field writes are idempotent updates;
- the ledger records each written batch after the CRM confirmed it, and the planner only skips a value that
  equals both the ledger and the CRM's current value — a write the CRM took but the ledger missed is
  simply written again with the same value.
A stop request (SIGTERM) is honoured at the same checkpoints: after a stored batch, after a written batch.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Protocol

from connectors.base import Batch, Connector
from connectors.config import InstanceConfig
from connectors.errors import StopRun


class RunObserver(Protocol):
    """Progress of a run, for the CLI's bars and the JSON log; every method is optional to act on."""

    def phase(self, instance: str, name: str, total: int | None = None) -> None: ...

    def advance(self, instance: str, amount: int = 1, note: str | None = None) -> None: ...


class SilentObserver:
    def phase(self, instance: str, name: str, total: int | None = None) -> None:
        return None

    def advance(self, instance: str, amount: int = 1, note: str | None = None) -> None:
        return None


class RunStopped(Exception):
    """A stop was requested (SIGTERM) and the run ended at a checkpoint with its progress saved."""


@dataclass(frozen=True)
class RunOptions:
    full: bool = False
    dry_run: bool = False
    as_of: date | None = None
    allow_large_first_sync: bool = False


@dataclass
class RunReport:
    instance: str
    run_id: str | None = None
    status: str = "ok"
    """ok | partial (quarantined records or rejected writes) | stopped (limit or SIGTERM, resumes) | failed"""
    extracted: dict[str, int] = field(default_factory=dict)
    quarantined: dict[str, int] = field(default_factory=dict)
    planned_creates: int = 0
    planned_updates: int = 0
    written: int = 0
    rejected: int = 0
    api_calls: int = 0
    message: str | None = None
    started_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    finished_at: datetime | None = None


def checkpoint(stop: threading.Event | None) -> None:
    if stop is not None and stop.is_set():
        raise RunStopped("stopped on request at a checkpoint; the next run resumes from here")


def extract_streams(
    connector: Connector,
    cursor_of: Callable[[str], dict[str, object] | None],
    save: Callable[[Batch], None],
    *,
    full: bool,
    observer: RunObserver,
    instance: str,
    stop: threading.Event | None = None,
    streams: Sequence[str] | None = None,
) -> tuple[dict[str, int], dict[str, int]]:
    """Read every stream from its cursor; each batch is saved (with its cursor) before the next is read."""
    extracted: dict[str, int] = {}
    quarantined: dict[str, int] = {}
    for stream in connector.streams():
        if streams is not None and stream.name not in streams:
            continue
        observer.phase(instance, f"extract {stream.name}")
        cursor = None if full else cursor_of(stream.name)
        for batch in connector.extract(stream, cursor, full=full):
            save(batch)
            extracted[stream.name] = extracted.get(stream.name, 0) + len(batch.records)
            if batch.quarantined:
                quarantined[batch.table] = quarantined.get(batch.table, 0) + len(batch.quarantined)
            observer.advance(instance, len(batch.records), note=stream.name)
            checkpoint(stop)
    return extracted, quarantined


def describe_stop(error: StopRun | RunStopped) -> str:
    text = str(error)
    resumes = getattr(error, "resumes_at", None)
    return f"{text} (resumes after {resumes:%Y-%m-%d %H:%M} UTC)" if resumes else text




# --- one run --------------------------------------------------------------------------------------------

QUARANTINE_SHARE_DEFAULT = 0.05


class RunFailed(Exception):
    """The run cannot go on (too many quarantined records, a refused plan); nothing more is written."""


def quarantine_breaches(
    extracted: dict[str, int], quarantined: dict[str, int], threshold: float
) -> list[str]:
    """Tables whose quarantined share of this run's rows is above `threshold`, described for a person."""
    by_table: dict[str, int] = {}
    for table, count in quarantined.items():
        by_table[table] = by_table.get(table, 0) + count
    breaches = []
    total = sum(extracted.values())
    for table, bad in sorted(by_table.items()):
        seen = bad + total if total else bad
        share = bad / seen if seen else 0.0
        if share > threshold:
            breaches.append(f"{table}: {bad:,} of {seen:,} records quarantined ({share:.1%} > {threshold:.0%})")
    return breaches
