"""`crm-kpi schedule`: one process that runs each instance's sync on its cron.

APScheduler 3 does the timing; the guarantees come from how jobs are declared and from the store:
- `coalesce=True`: after a pause (a laptop asleep, a long run) the missed firings of one job run once, not
  once per missed slot;
- `max_instances=1`: this process never starts a job while its previous run is going;
- `misfire_grace_time`: a firing late by less than this still runs; later than this it waits for the next;
- the store's per-instance lock (taken by the run itself) keeps a second scheduler, or a manual `sync`,
  from running the same instance at once: a run that finds its instance busy is skipped with a message.
SIGTERM and SIGINT set `stop`: the run in progress reaches its next checkpoint (after a stored batch or a
written batch), saves its progress and ends; no new run starts.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from types import FrameType

from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger


@dataclass(frozen=True)
class ScheduledInstance:
    name: str
    cron: str
    """Five-field crontab, e.g. `*/30 * * * *`."""


def job_id(instance: str) -> str:
    return f"sync:{instance}"


def build_scheduler(
    instances: Sequence[ScheduledInstance],
    run: Callable[[str], object],
    *,
    misfire_grace_seconds: int = 300,
    timezone: str = "UTC",
) -> BlockingScheduler:
    """A scheduler with one job per instance; `run(name)` is one sync of that instance."""
    scheduler = BlockingScheduler(timezone=timezone)
    for instance in instances:
        try:
            trigger = CronTrigger.from_crontab(instance.cron, timezone=timezone)
        except ValueError as error:
            raise ValueError(
                f"instance {instance.name!r}: schedule cron {instance.cron!r}: {error}"
            ) from None
        scheduler.add_job(
            run,
            trigger,
            args=[instance.name],
            id=job_id(instance.name),
            name=f"sync {instance.name}",
            coalesce=True,
            max_instances=1,
            misfire_grace_time=misfire_grace_seconds,
            replace_existing=True,
        )
    return scheduler


class StopOnSignal:
    """Turns SIGTERM/SIGINT into a stop request that runs check at their checkpoints."""

    def __init__(self) -> None:
        self.stop = threading.Event()
        self._callbacks: list[Callable[[], None]] = []

    def on_stop(self, callback: Callable[[], None]) -> None:
        self._callbacks.append(callback)

    def install(self) -> None:
        signal.signal(signal.SIGTERM, self._handle)
        signal.signal(signal.SIGINT, self._handle)

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        self.request_stop()

    def request_stop(self) -> None:
        """Stop as a signal would (the process's own reason, e.g. a lost scheduler lock)."""
        self.stop.set()
        for callback in self._callbacks:
            callback()
