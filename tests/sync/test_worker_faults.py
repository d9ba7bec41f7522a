"""Real `crm-kpi worker` processes against the machine's RabbitMQ and PostgreSQL: a worker killed with
SIGKILL mid-run, the broker dropping a worker's connection mid-run, the store's connections cut mid-run.
In each, the run ends `ok` under its one run id and the CRM ends exactly as after an uninterrupted run."""

from __future__ import annotations

import json
import math
from pathlib import Path

import psycopg
import pytest
import sqlalchemy as sa
from sync_sandboxes import AS_OF, SandboxFactory, instance_for, settings_for, write_calls
from test_kill_and_resume import crm_state, reads, snapshot_count
from typer.testing import CliRunner
from worker_processes import (
    broker_or_skip,
    delete_queue,
    finished_run,
    unique_queue,
    wait_for,
    worker_settings_file,
    workers,
)

from connectors.config import InstanceConfig
from sandbox.runtime import RunningSandbox
from sync.cli import app
from sync.install import install_instance
from sync.pipeline import RunOptions
from sync.runner import sync_instance
from sync.store.store import Store

pytestmark = pytest.mark.slow


@pytest.fixture
def queue() -> object:
    broker_or_skip()
    name = unique_queue()
    yield name
    delete_queue(name)


def reference(sb: RunningSandbox, tmp_path: Path) -> InstanceConfig:
    """The uninterrupted run, in this process, on its own copy of the org."""
    instance = instance_for(sb)
    url = f"sqlite:///{tmp_path / 'reference.db'}"
    settings = settings_for(url, instance)
    install_instance(settings, instance, dry_run=False)
    with Store.open(url) as store:
        assert sync_instance(instance, settings, store, RunOptions(as_of=AS_OF)).status == "ok"
    return instance


def prepared(sb: RunningSandbox, pg_url: str, queue: str, tmp_path: Path) -> tuple[InstanceConfig, Path]:
    instance = instance_for(sb)
    settings = settings_for(pg_url, instance)
    install_instance(settings, instance, dry_run=False)
    sb.ledger.reset()
    return instance, worker_settings_file(tmp_path / "settings.toml", settings, queue)


def enqueue(config: Path) -> str:
    result = CliRunner().invoke(
        app, ["sync", "--enqueue", "--config", str(config), "--as-of", AS_OF.isoformat(), "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    [queued] = json.loads(result.stdout)["queued"]
    return str(queued["run_id"])


def assert_same_crm(expected_instance: InstanceConfig, instance: InstanceConfig) -> None:
    expected, actual = crm_state(expected_instance), crm_state(instance)
    assert set(actual) == set(expected)
    for key, values in expected.items():
        for name, value in values.items():
            got = actual[key][name]
            assert (got is None and value is None) or (
                got is not None and value is not None and math.isclose(got, value, rel_tol=1e-9, abs_tol=1e-9)
            ), (key, name, got, value)
    assert snapshot_count(instance) == len([k for k in expected if "|" in k])  # no duplicates


def run_status(url: str, run_id: str) -> str | None:
    with Store.open(url) as store:
        run = store.run(run_id)
        return run.status if run else None


def test_a_worker_killed_mid_run_has_its_run_resumed_by_another_worker(
    sandboxes: SandboxFactory, pg_url: str, queue: str, tmp_path: Path
) -> None:
    with sandboxes.start("salesforce") as ref_sb, sandboxes.start("salesforce") as sb:
        expected = reference(ref_sb, tmp_path)
        instance, config = prepared(sb, pg_url, queue, tmp_path)
        with workers(config, tmp_path / "logs") as pool:
            first = pool.start()
            run_id = enqueue(config)
            wait_for(lambda: write_calls(sb) >= 3, "the first worker to be writing", pool)
            pool.kill(first)
            assert run_status(pg_url, run_id) == "running"  # killed mid-run: nobody closed it
            writes_before = write_calls(sb)
            pool.start()
            run = finished_run(pg_url, run_id, pool)
        assert run.status == "ok", run.message
        assert write_calls(sb) > writes_before  # the second worker wrote the rest
        with Store.open(pg_url) as store:
            assert [r.run_id for r in store.runs(instance.name)] == [run_id]  # resumed, not run again
        assert_same_crm(expected, instance)


def connections_of(queue: str) -> list[str]:
    """RabbitMQ's ids of the connections our workers opened (named after the queue, celery_app.configure)."""
    import subprocess

    listed = subprocess.run(
        ["rabbitmqctl", "-q", "list_connections", "--no-table-headers", "pid", "client_properties"],
        capture_output=True,
        text=True,
    )
    if listed.returncode != 0:  # not root, or no Erlang cookie for the broker's node
        pytest.skip(f"rabbitmqctl cannot query the broker here: {listed.stderr.strip()[:200]}")
    return [
        line.split("\t", 1)[0] for line in listed.stdout.splitlines() if f"crm-kpi worker {queue} " in line
    ]


def test_a_worker_whose_broker_connection_drops_mid_run_still_ends_the_run_once(
    sandboxes: SandboxFactory, pg_url: str, queue: str, tmp_path: Path
) -> None:
    """The broker restarted, as the worker sees it: RabbitMQ closes the worker's connection mid-run and
    requeues its unacknowledged job. The shared RabbitMQ of this machine is not restarted (other suites use
    it); closing only our worker's connections is what a restart does to this worker."""
    import shutil
    import subprocess

    if shutil.which("rabbitmqctl") is None:
        pytest.skip(
            "rabbitmqctl is not installed here: the test closes the worker's broker connection with it"
        )
    with sandboxes.start("salesforce") as ref_sb, sandboxes.start("salesforce") as sb:
        expected = reference(ref_sb, tmp_path)
        instance, config = prepared(sb, pg_url, queue, tmp_path)
        with workers(config, tmp_path / "logs") as pool:
            pool.start()
            run_id = enqueue(config)
            wait_for(lambda: reads(sb) >= 4, "the worker to be extracting", pool)
            names = connections_of(queue)
            assert names, pool.log()
            for name in names:
                subprocess.run(
                    ["rabbitmqctl", "-q", "close_connection", name, "test: broker restart"], check=True
                )
            run = finished_run(pg_url, run_id, pool)
            assert run.status == "ok", run.message
            # The job RabbitMQ requeued when it closed the connection comes back and finds its run ended.
            wait_for(
                lambda: f"run {run_id} of acme-sf: duplicate" in pool.log(), "the redelivered copy", pool
            )
        with Store.open(pg_url) as store:
            assert [r.run_id for r in store.runs(instance.name)] == [run_id]
        assert_same_crm(expected, instance)


def cut_store_connections(pg_url: str) -> int:
    """Every other connection to the store's database ended by the server, as in a PostgreSQL restart."""
    url = sa.make_url(pg_url)
    with psycopg.connect(
        host=url.host, port=url.port, user=url.username, dbname=url.database, autocommit=True
    ) as admin:
        rows = admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        ).fetchall()
    return len(rows)


def test_the_store_lost_mid_run_interrupts_the_run_and_the_worker_resumes_it(
    sandboxes: SandboxFactory, pg_url: str, queue: str, tmp_path: Path
) -> None:
    with sandboxes.start("hubspot") as ref_sb, sandboxes.start("hubspot") as sb:
        expected = reference(ref_sb, tmp_path)
        instance, config = prepared(sb, pg_url, queue, tmp_path)
        with workers(config, tmp_path / "logs") as pool:
            pool.start()
            run_id = enqueue(config)
            wait_for(lambda: reads(sb) >= 4, "the worker to be extracting", pool)
            assert cut_store_connections(pg_url) >= 1
            run = finished_run(pg_url, run_id, pool)
            assert run.status == "ok", f"{run.message}\n{pool.log()}"
            assert f"run {run_id} of acme-hs: store_lost" in pool.log()  # interrupted, then tried again
        with Store.open(pg_url) as store:
            assert [r.run_id for r in store.runs(instance.name)] == [run_id]
        assert_same_crm(expected, instance)
