"""`crm-kpi worker`: a Celery worker that runs the queued syncs of many instances."""

from __future__ import annotations

import os
import socket
from typing import Annotated

import typer

from sync.cli_output import note
from sync.cli_settings import ConfigOption, settings_from
from sync.cli_workers import broker_app, require_shared_store

EXAMPLES = """\
Examples:

    crm-kpi worker --config settings.toml

    crm-kpi worker --config settings.toml --concurrency 4
"""


def worker_command(
    config: ConfigOption = None,
    concurrency: Annotated[
        int | None,
        typer.Option(
            "--concurrency", min=1, metavar="N", help="Runs at once (default [workers] concurrency)."
        ),
    ] = None,
    loglevel: Annotated[
        str, typer.Option("--loglevel", metavar="LEVEL", help="Celery's log level: DEBUG, INFO, WARNING.")
    ] = "INFO",
) -> None:
    """Run queued syncs from RabbitMQ until stopped: one run per job, any instance of the settings.

    Jobs come from `crm-kpi schedule --enqueue` and `crm-kpi sync --enqueue` on the [workers] queue. A job is
    acknowledged only when its run has ended, so a worker that dies mid-run has its job handed to another
    worker, which resumes the run. A job whose instance is busy (another run holds it) is sent back to start
    [workers] busy_retry_seconds later. The store must be the shared PostgreSQL one. SIGTERM finishes the
    runs in progress, then stops (a second SIGTERM, or SIGQUIT, stops at once: the jobs are redelivered).
    """
    settings = settings_from(config)
    require_shared_store(settings, "crm-kpi worker")
    from sync.store.store import Store

    with Store.open(settings.store.url):  # migrate once here, not in each child at once
        pass
    app = broker_app(settings, "worker")
    processes = concurrency or settings.workers.concurrency
    note(f"worker: queue {settings.workers.queue!r}, {processes} run(s) at once")
    app.worker_main(
        argv=[
            "worker",
            "--pool=prefork",
            f"--concurrency={processes}",
            f"--queues={settings.workers.queue}",
            f"--hostname=crm-kpi-{os.getpid()}@{socket.gethostname()}",
            f"--loglevel={loglevel}",
            "--without-gossip",
            "--without-mingle",
        ]
    )
