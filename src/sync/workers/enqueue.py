"""Sending runs to the workers: each job gets its run id here, which is also its Celery task id."""

from __future__ import annotations

from datetime import date

from celery import Celery

from sync.store.store import Store
from sync.workers.celery_app import TASK_NAME
from sync.workers.jobs import Job


def enqueue_run(
    app: Celery, store: Store, instance: str, *, full: bool = False, as_of: date | None = None
) -> Job:
    """Queue one run of `instance` on the app's queue (`celery_app.configure`); returns the job, whose
    `run_id` is how the store's run history will show it. Returns once RabbitMQ confirmed it has the job."""
    job = Job(instance, store.new_run_id(), full=full, as_of=as_of)
    app.send_task(TASK_NAME, kwargs=job.message(), task_id=job.run_id, queue=app.conf.task_default_queue)
    return job
