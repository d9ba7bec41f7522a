"""The Celery app of crm-kpi's workers, configured so that no queued run is lost, and its one task.

Why each setting (DESIGN.md, "Where it goes past one machine"):
- `task_acks_late`: a job is acknowledged when its run has ended, not when a worker took it; a worker that
  dies mid-run (kill -9, OOM, a lost machine) leaves the job unacknowledged, and RabbitMQ hands it to
  another worker when the dead one's connection closes;
- `task_reject_on_worker_lost`: the same when only the child process running the job dies: the job is
  requeued instead of being acknowledged as failed;
- `worker_prefetch_multiplier = 1`: a worker holds one job per child beyond those it runs, so a job
  never waits behind a long run while another worker is idle;
- `confirm_publish`: `--enqueue` returns once RabbitMQ has the job, not when it left the socket;
- RabbitMQ's `consumer_timeout` (rabbitmq.conf, server-side; 30 minutes by default) must be above the
  longest run: past it the broker closes the channel and redelivers the job — still safe (the copy finds
  the instance busy and is deferred, then finds the run finished and does nothing), but wasted;
- a broker connection lost mid-run does not cancel the run (`worker_cancel_long_running_tasks_on_connection_
  loss = False`): the job is requeued by RabbitMQ, and its copy is deferred or found finished;
- the result backend is off: the store's run history is the record of every run.
The prefork pool keeps the worker's main process free to answer broker heartbeats during a long run.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from typing import Any

from celery import Celery, Task
from kombu import Queue

from sync.run_progress import JsonLogObserver
from sync.settings import Settings
from sync.store.store import Store
from sync.workers.jobs import Job, JobResult, run_job

TASK_NAME = "crm_kpi.run"
log = logging.getLogger(__name__)

app = Celery("crm_kpi", set_as_current=False)


def configure(settings: Settings, *, role: str) -> Celery:
    """Point the app at the settings' broker and queue; `role` names the broker connection (`worker`,
    `scheduler`, `sync`) so that RabbitMQ's connection list says who is who."""
    workers = settings.workers
    app.conf.update(
        broker_url=workers.broker(),
        broker_connection_retry_on_startup=True,
        broker_transport_options={
            "confirm_publish": True,
            "client_properties": {"connection_name": f"crm-kpi {role} {workers.queue} pid {os.getpid()}"},
        },
        task_default_queue=workers.queue,
        task_queues=[Queue(workers.queue, durable=True)],
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        task_acks_on_failure_or_timeout=True,
        worker_prefetch_multiplier=1,
        # A broker blip must not kill a run mid-write: the run goes on holding its instance's lock, and the
        # copy RabbitMQ redelivers is deferred (instance busy) or finds the run ended and does nothing.
        worker_cancel_long_running_tasks_on_connection_loss=False,
        worker_concurrency=workers.concurrency,
        worker_redirect_stdouts=False,
        worker_hijack_root_logger=False,
        task_ignore_result=True,
        task_serializer="json",
        accept_content=["json"],
        worker_send_task_events=False,
    )
    _STATE.settings = settings
    return app


@dataclass
class _WorkerState:
    """The worker's settings (set before the pool forks) and each child process's own store connection."""

    settings: Settings | None = None
    store: Store | None = None
    pid: int | None = None

    def open_store(self) -> Store:
        if self.settings is None:
            raise RuntimeError("the worker was started without settings (crm-kpi worker --config ...)")
        if self.store is None or self.pid != os.getpid():  # never reuse a parent's connections after fork
            self.store = Store.open(self.settings.store.url)
            self.pid = os.getpid()
        return self.store


_STATE = _WorkerState()


@app.task(name=TASK_NAME, bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=None)
def run_task(self: Task[Any, Any], /, **body: Any) -> dict[str, Any]:
    """One run of one instance (`Job`); the Celery task id is the run id."""
    job = Job.from_message(body)
    settings = _STATE.settings
    assert settings is not None, "configure() runs before the worker starts"
    try:
        store = _STATE.open_store()
    except Exception as error:  # the store is down before the run could start: same as losing it
        result = JobResult("store_lost", str(error))
    else:
        result = run_job(job, settings, store, JsonLogObserver())
    _log(job, result)
    if result.outcome == "deferred":
        raise self.retry(countdown=settings.workers.busy_retry_seconds, max_retries=None)
    if result.outcome == "store_lost":
        _STATE.store = None  # a fresh engine next time
        raise self.retry(countdown=settings.workers.store_retry_seconds, max_retries=None)
    status = result.report.status if result.report else None
    return {"outcome": result.outcome, "status": status, "message": result.message}


def _log(job: Job, result: JobResult) -> None:
    status = f" {result.report.status}" if result.report else ""
    log.info("run %s of %s: %s%s %s", job.run_id, job.instance, result.outcome, status, result.message or "")
