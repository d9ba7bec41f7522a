"""One queued run of one instance, and what a worker does with it — the logic, free of Celery.

A job is keyed by its run id (also the Celery task id), so that every delivery of it means the same run:
- the run already finished (`ok`, `partial`, `failed`): the delivery is a duplicate (its first delivery
  finished but the acknowledgement was lost, or a copy was sent twice) and does nothing;
- the run started but never finished (`running`, `interrupted`: its worker was killed, or lost the store):
  it is resumed under the same id — the pipeline resumes from the stored cursors and the write ledger;
- the instance's lock is held by another run: the job is *deferred*, sent back to start later, never dropped;
- the store went away (PostgreSQL restarted or unreachable): the job is tried again later, resuming.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from connectors.budget import ApiBudget
from connectors.errors import ConnectorError
from sync.connections import open_connector
from sync.observer import RunObserver
from sync.pipeline import RunOptions, RunReport, run_instance
from sync.settings import Settings
from sync.store.budget import StoreBudget
from sync.store.connection import connection_lost
from sync.store.locks import InstanceLocked
from sync.store.store import Store

log = logging.getLogger(__name__)

FINISHED = ("ok", "partial", "failed")
"""Run statuses after which a delivery of the same run id has nothing left to do."""


@dataclass(frozen=True)
class Job:
    """One run of one instance, as it travels in the queue (JSON)."""

    instance: str
    run_id: str
    full: bool = False
    as_of: date | None = None

    def message(self) -> dict[str, Any]:
        return {
            "instance": self.instance,
            "run_id": self.run_id,
            "full": self.full,
            "as_of": self.as_of.isoformat() if self.as_of else None,
        }

    @classmethod
    def from_message(cls, body: dict[str, Any]) -> Job:
        as_of = body.get("as_of")
        return cls(
            instance=str(body["instance"]),
            run_id=str(body["run_id"]),
            full=bool(body.get("full", False)),
            as_of=date.fromisoformat(as_of) if as_of else None,
        )


JobOutcome = Literal["ran", "duplicate", "deferred", "store_lost", "failed"]


@dataclass(frozen=True)
class JobResult:
    outcome: JobOutcome
    """`ran`: the run ended (any status, in `report`); `duplicate`: that run had already finished;
    `deferred`: the instance was busy; `store_lost`: try again later; `failed`: before the run could start
    (unknown instance, bad credentials) — nothing to resume."""
    message: str | None = None
    report: RunReport | None = None


def run_job(job: Job, settings: Settings, store: Store, observer: RunObserver | None = None) -> JobResult:
    """Run `job` once; never raises for the outcomes a queue must act on (see the module docstring)."""
    try:
        return _run_job(job, settings, store, observer)
    except Exception as error:
        if connection_lost(error):
            log.warning("run %s of %s: the store's connection was lost (%s)", job.run_id, job.instance, error)
            return JobResult("store_lost", str(error))
        raise


def _run_job(job: Job, settings: Settings, store: Store, observer: RunObserver | None) -> JobResult:
    earlier = store.run(job.run_id)
    if earlier is not None and earlier.status in FINISHED:
        return JobResult("duplicate", f"run {job.run_id} already ended {earlier.status}")
    try:
        instance = settings.instance(job.instance)
    except KeyError as unknown:
        return JobResult("failed", str(unknown).strip("'\""))
    budget = ApiBudget(instance.name, instance.api_budget_share, backend=StoreBudget(store.engine))
    try:
        connector = open_connector(instance, budget=budget)
    except ConnectorError as error:
        return JobResult("failed", str(error))
    try:
        report = run_instance(
            instance,
            settings,
            store,
            connector,
            RunOptions(full=job.full, as_of=job.as_of),
            observer=observer,
            run_id=job.run_id,
        )
    except InstanceLocked as busy:
        return JobResult("deferred", str(busy))
    finally:
        connector.close()
    return JobResult("ran", report.message, report)
