"""Real `crm-kpi worker` processes for the worker tests: each in a session of its own (so a SIGKILL takes
its pool children with it, as a lost machine would), on a queue of the test's own, always cleaned up."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from kombu import Connection

from sync.demo import settings_toml
from sync.settings import Settings
from sync.store.run_history import RunRecord
from sync.store.store import Store

BROKER = os.environ.get("CRM_KPI_TEST_BROKER", "amqp://guest:guest@127.0.0.1:5672//")
FINISHED = ("ok", "partial", "failed")


def broker_or_skip() -> None:
    try:
        with Connection(BROKER, connect_timeout=3) as connection:
            connection.ensure_connection(max_retries=1)
    except Exception as error:  # any failure to reach it: the reason goes into the skip
        pytest.skip(f"RabbitMQ is not reachable at {BROKER.split('@')[-1]}: {error}")


def unique_queue() -> str:
    return f"crm-kpi-test-{os.getpid()}-{uuid.uuid4().hex[:8]}"


def delete_queue(queue: str) -> None:
    with Connection(BROKER, connect_timeout=3) as connection:
        connection.default_channel.queue_delete(queue)


def queued_messages(queue: str) -> int:
    with Connection(BROKER, connect_timeout=3) as connection:
        return int(connection.default_channel.queue_declare(queue, passive=True).message_count)


def worker_settings_file(path: Path, settings: Settings, queue: str) -> Path:
    """The settings an admin would write for the workers: the store, the instances, the queue."""
    path.write_text(
        settings_toml(settings)
        + f'\n[workers]\nbroker_url = "{BROKER}"\nqueue = "{queue}"\n'
        + "busy_retry_seconds = 1\nstore_retry_seconds = 1\n",
        encoding="utf-8",
    )
    return path


@dataclass
class Workers:
    config: Path
    logs: Path
    started: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def start(self) -> subprocess.Popen[bytes]:
        log = (self.logs / f"worker-{len(self.started)}.log").open("wb")
        process = subprocess.Popen(
            [sys.executable, "-m", "sync", "worker", "--config", str(self.config), "--loglevel", "INFO"],
            env=dict(os.environ),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.started.append(process)
        return process

    def kill(self, process: subprocess.Popen[bytes]) -> None:
        """SIGKILL the worker and its pool children at once, as a machine that dies."""
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()

    def log(self) -> str:
        return "\n".join(
            f"--- {path.name}\n{path.read_text(errors='replace')[-4000:]}"
            for path in sorted(self.logs.glob("*.log"))
        )

    def stop_all(self) -> None:
        for process in self.started:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)  # warm shutdown: the worker ends its runs, then stops
        for process in self.started:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


@contextmanager
def workers(config: Path, logs: Path) -> Iterator[Workers]:
    logs.mkdir(parents=True, exist_ok=True)
    pool = Workers(config, logs)
    try:
        yield pool
    finally:
        pool.stop_all()


def wait_for(condition: Callable[[], bool], what: str, pool: Workers, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}\n{pool.log()}")


def finished_run(url: str, run_id: str, pool: Workers, timeout: float = 180) -> RunRecord:
    with Store.open(url) as store:
        wait_for(
            lambda: (r := store.run(run_id)) is not None and r.status in FINISHED,
            f"run {run_id}",
            pool,
            timeout,
        )
        run = store.run(run_id)
        assert run is not None
        return run
