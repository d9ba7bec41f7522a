"""`crm-kpi schedule --enqueue`: the scheduler that only sends jobs, one such process per queue.

The one-process rule is the store's lock named `scheduler:<queue>` (a PostgreSQL advisory lock, like an
instance's): a second scheduler finds it held and refuses to start; a scheduler killed with -9 loses it
with its connection, so a replacement starts at once. Before each job it sends, the scheduler proves it
still holds the lock (its connection may have died, and another scheduler may have started since); if
not, it stops instead of sending runs twice.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from celery import Celery

from sync.pipeline import run_owner
from sync.store.locks import HeldLock, InstanceLocked
from sync.store.store import Store
from sync.workers.enqueue import enqueue_run
from sync.workers.jobs import Job

log = logging.getLogger(__name__)


class SchedulerBusy(RuntimeError):
    """Another `schedule --enqueue` holds the queue's scheduler lock."""


def scheduler_lock_name(queue: str) -> str:
    return f"scheduler:{queue}"


@contextmanager
def hold_scheduler_lock(store: Store, queue: str) -> Iterator[HeldLock]:
    name = scheduler_lock_name(queue)
    try:
        with store.lock(name, run_owner()) as held:
            yield held
    except InstanceLocked as busy:
        holder = f" ({busy.owner})" if busy.owner else ""
        raise SchedulerBusy(
            f"another `crm-kpi schedule --enqueue` for queue {queue!r} is running{holder}; one scheduler per "
            "queue sends the runs: stop that one first, or give this one another [workers] queue"
        ) from None


@dataclass
class Enqueuer:
    """The scheduler's job function: send one run of an instance, while the scheduler lock is held."""

    app: Celery
    store: Store
    held: HeldLock
    lost: str | None = None
    """Why the scheduler lock was lost, once it was (the scheduler then stops)."""

    def __call__(self, instance: str) -> Job | None:
        try:
            self.held.verify()
        except Exception as error:  # the lock's connection is gone: another scheduler may run now
            self.lost = f"the scheduler lock was lost with its store connection ({error}); restart it"
            return None
        job = enqueue_run(self.app, self.store, instance)
        log.info("queued run %s of %s", job.run_id, instance)
        return job
