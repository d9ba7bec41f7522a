"""The workers' contracts without faults: the rate budget all workers share, what a delivery of a job does
(a duplicate nothing, a busy instance defers it), the one-scheduler rule, and the refusals of the commands."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import psycopg
import pytest
import sqlalchemy as sa
from sync_sandboxes import AS_OF, SandboxFactory, instance_for, settings_for
from typer.testing import CliRunner
from worker_processes import (
    broker_or_skip,
    delete_queue,
    finished_run,
    queued_messages,
    unique_queue,
    wait_for,
    worker_settings_file,
    workers,
)

from connectors.budget import ApiBudget
from connectors.config import InstanceConfig
from connectors.errors import BudgetExhausted
from sync.cli import app
from sync.install import install_instance
from sync.settings import Settings
from sync.settings_tables import StoreSettings
from sync.store.budget import StoreBudget
from sync.store.connection import create_store_engine
from sync.store.store import Store
from sync.workers.jobs import Job, run_job

WORKERS = 4


def test_workers_sharing_the_budget_together_make_exactly_the_share_of_the_daily_limit(pg_url: str) -> None:
    """Four workers (each its own connection) charge one instance at once: 50% of 100 lets exactly 50 calls
    through, the 51st is refused for all of them, and refused calls are not counted."""
    with Store.open(pg_url) as store:
        StoreBudget(store.engine).observe("acme", used=0, limit=100)
    made: list[int] = []

    def worker() -> None:
        engine = create_store_engine(pg_url)  # its own connection pool, as a worker process has
        budget = ApiBudget("acme", 0.5, backend=StoreBudget(engine))
        try:
            while True:
                budget.charge()
        except BudgetExhausted:
            made.append(budget.calls)
        finally:
            engine.dispose()

    threads = [threading.Thread(target=worker) for _ in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(made) == 50 and len(made) == WORKERS
    with Store.open(pg_url) as store:
        count, charged = StoreBudget(store.engine).count("acme")
    assert (count.used, count.limit, charged) == (50, 100, 50)


def test_the_crms_own_count_replaces_the_shared_one_and_an_unknown_limit_only_counts(pg_url: str) -> None:
    with Store.open(pg_url) as store:
        shared = StoreBudget(store.engine)
        one, other = ApiBudget("acme", 0.5, backend=shared), ApiBudget("acme", 0.5, backend=shared)
        for _ in range(7):
            one.charge()  # the CRM has reported nothing yet: counted, never refused
        assert shared.count("acme")[0].used is None and shared.count("acme")[1] == 7
        other.observe(used=48, limit=100)  # the CRM says 48 of 100: 2 more allowed for everyone
        one.charge()
        other.charge()
        with pytest.raises(BudgetExhausted, match="50 of the daily 100"):
            one.charge()
        assert (one.used, one.limit) == (50, 100)


def settings_with(url: str, *instances: InstanceConfig) -> Settings:
    return Settings(store=StoreSettings(url=url), instances=instances)


def test_a_job_whose_run_already_ended_does_nothing(store_url: str) -> None:
    settings = settings_with(store_url)
    with Store.open(store_url) as store:
        run_id = store.start_run("acme-sf")
        store.finish_run(run_id, "ok")
        result = run_job(Job("acme-sf", run_id), settings, store)
        assert (result.outcome, result.message) == ("duplicate", f"run {run_id} already ended ok")
        assert [run.status for run in store.runs("acme-sf")] == ["ok"]


def test_a_job_for_an_instance_the_settings_do_not_name_fails_without_a_run(store_url: str) -> None:
    with Store.open(store_url) as store:
        result = run_job(Job("gone", store.new_run_id()), settings_with(store_url), store)
        assert result.outcome == "failed" and "no instance named 'gone'" in (result.message or "")
        assert store.runs() == []


def test_a_job_whose_instance_is_busy_is_deferred_and_starts_no_run(
    sandboxes: SandboxFactory, pg_url: str
) -> None:
    with sandboxes.start("salesforce") as sb, Store.open(pg_url) as store:
        instance = instance_for(sb)
        settings = settings_with(pg_url, instance)
        with Store.open(pg_url) as other, other.lock(instance.name, "another worker"):
            result = run_job(Job(instance.name, store.new_run_id()), settings, store)
        assert result.outcome == "deferred" and "another worker" in (result.message or "")
        assert store.runs(instance.name) == []


def test_the_worker_commands_refuse_a_sqlite_store(tmp_path: Path) -> None:
    config = tmp_path / "settings.toml"
    config.write_text(
        f'[store]\nurl = "sqlite:///{tmp_path / "crm-kpi.db"}"\n\n[[instances]]\nname = "acme-hs"\n'
        'crm = "hubspot"\nurl = "https://api.hubapi.com"\nauth = "private_app"\ntoken_env = "ACME_HS_TOKEN"\n'
    )
    for args in (["worker"], ["sync", "--enqueue"], ["schedule", "--enqueue"]):
        result = CliRunner().invoke(app, [*args, "--config", str(config)])
        assert result.exit_code == 2, result.output
        assert "[store] url is a SQLite file, which only this machine can reach" in result.stderr
        assert "postgresql+psycopg://" in result.stderr
    dry = CliRunner().invoke(app, ["sync", "--enqueue", "--dry-run", "--config", str(config)])
    assert dry.exit_code == 2 and "--dry-run: a queued run cannot take it" in dry.stderr


@pytest.fixture
def queue() -> object:
    broker_or_skip()
    name = unique_queue()
    yield name
    delete_queue(name)


def scheduler(config: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "sync", "schedule", "--enqueue", "--run-now", "--config", str(config)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=dict(os.environ),
    )


def test_a_second_enqueuing_scheduler_refuses_to_start_while_the_first_runs(
    pg_url: str, queue: str, tmp_path: Path
) -> None:
    instance = InstanceConfig(
        name="acme-hs",
        crm="hubspot",
        url="https://api.hubapi.com",
        auth="private_app",
        token_env="ACME_HS_TOKEN",
    )
    config = worker_settings_file(tmp_path / "settings.toml", settings_with(pg_url, instance), queue)
    with config.open("a") as file:
        file.write('\n[schedule]\ncron = "0 0 1 1 *"\n')
    first = scheduler(config)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and first.poll() is None:
            try:
                if queued_messages(queue) == 1:  # --run-now queued the one instance's run
                    break
            except Exception:  # the queue is declared by the first send
                pass
            time.sleep(0.1)
        assert queued_messages(queue) == 1
        second = subprocess.run(
            [sys.executable, "-m", "sync", "schedule", "--enqueue", "--config", str(config)],
            capture_output=True,
            text=True,
            timeout=60,
            env=dict(os.environ),
        )
        assert second.returncode == 1, second.stderr
        assert f"another `crm-kpi schedule --enqueue` for queue '{queue}' is running" in second.stderr
        assert queued_messages(queue) == 1  # the second sent nothing
    finally:
        first.send_signal(signal.SIGTERM)
        _, stderr = first.communicate(timeout=30)
    assert first.returncode == 0, stderr
    assert "acme-hs: queued run" in stderr


def test_a_run_deferred_while_its_instance_is_busy_runs_once_the_instance_is_free(
    sandboxes: SandboxFactory, pg_url: str, queue: str, tmp_path: Path
) -> None:
    with sandboxes.start("hubspot") as sb:
        instance = instance_for(sb)
        settings = settings_for(pg_url, instance)
        install_instance(settings, instance, dry_run=False)
        config = worker_settings_file(tmp_path / "settings.toml", settings, queue)
        with workers(config, tmp_path / "logs") as pool, Store.open(pg_url) as holder:
            with holder.lock(instance.name, "a manual sync"):
                pool.start()
                result = CliRunner().invoke(
                    app,
                    [
                        "sync",
                        "--enqueue",
                        "--config",
                        str(config),
                        "--as-of",
                        AS_OF.isoformat(),
                        "--format",
                        "json",
                    ],
                )
                assert result.exit_code == 0, result.output
                run_id = json.loads(result.stdout)["queued"][0]["run_id"]
                wait_for(
                    lambda: pool.log().count(f"run {run_id} of acme-hs: deferred") >= 2, "two deferrals", pool
                )
                assert holder.run(run_id) is None  # never started while the instance was busy
            run = finished_run(pg_url, run_id, pool)
        assert run.status == "ok", run.message


def test_a_scheduler_that_lost_its_lock_sends_nothing_and_says_why(pg_url: str) -> None:
    """The store's connections cut (a PostgreSQL restart): another scheduler could hold the lock now, so
    this one must not send runs beside it."""
    from celery import Celery

    from sync.workers.scheduled import Enqueuer, SchedulerBusy, hold_scheduler_lock

    never_used = Celery("unused", set_as_current=False)  # a job would fail to send: nothing may be sent
    with Store.open(pg_url) as store, hold_scheduler_lock(store, "q") as held:
        with Store.open(pg_url) as other, pytest.raises(SchedulerBusy, match="for queue 'q' is running"):
            with hold_scheduler_lock(other, "q"):
                pass
        url = sa.make_url(pg_url)
        with psycopg.connect(host=url.host, port=url.port, user=url.username, dbname=url.database) as admin:
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        enqueuer = Enqueuer(never_used, store, held)
        assert enqueuer("acme-sf") is None
        assert enqueuer.lost is not None and enqueuer.lost.startswith("the scheduler lock was lost")
        with Store.open(pg_url) as replacement, hold_scheduler_lock(replacement, "q"):
            pass  # the lock died with its connection: a replacement scheduler starts at once
