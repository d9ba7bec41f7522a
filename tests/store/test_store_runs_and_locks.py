"""Run history and the per-instance lock (PostgreSQL advisory lock; an OS lock beside a SQLite file)."""

from __future__ import annotations

import signal
import subprocess
import sys
import time

import pytest
from records_factory import batch, user

from store_schema import reset_schema
from sync.store import InstanceLocked, Store


def test_a_run_collects_its_batches_counts_and_closes_with_totals(store: Store) -> None:
    run = store.start_run("acme", "run-1")
    store.save_batch("acme", batch("users", [user("005A"), user("005B")], stream="User"), run=run)
    store.save_batch("acme", batch("users", [user("005C")], stream="User"), run=run)
    store.save_batch("acme", batch("stages", [], stream="OpportunityStage"), run=run)
    (running,) = store.runs("acme")
    assert (running.status, running.ended_at, running.counts) == (
        "running",
        None,
        {"User": 3, "OpportunityStage": 0},
    )
    store.finish_run(run, "partial", api_calls=12, writes=200, write_errors=1, message="1 write rejected")
    (done,) = store.runs("acme")
    assert (done.status, done.api_calls, done.writes, done.write_errors, done.message) == (
        "partial",
        12,
        200,
        1,
        "1 write rejected",
    )
    assert done.ended_at is not None and done.ended_at >= done.started_at


def test_a_run_left_running_is_marked_interrupted_by_the_next_start(store: Store) -> None:
    store.start_run("acme", "run-1")
    store.start_run("other", "run-o")
    store.start_run("acme", "run-2")
    by_id = {run.run_id: run for run in store.runs()}
    assert by_id["run-1"].status == "interrupted"
    assert by_id["run-2"].status == "running"
    assert by_id["run-o"].status == "running"  # another instance's run is not ours to judge


def test_a_run_id_is_made_when_none_is_given_and_sorts_by_start(store: Store) -> None:
    made = store.start_run("acme")
    assert store.runs("acme")[0].run_id == made
    assert made[:8].isdigit() and made[8] == "T"
    assert store.new_run_id() != store.new_run_id()


def test_finishing_an_unknown_run_says_so(store: Store) -> None:
    with pytest.raises(KeyError, match="run 'nope' was not started"):
        store.finish_run("nope", "ok")


def test_the_lock_admits_one_run_per_instance(store_url: str) -> None:
    first, second = Store.open(store_url), Store.open(store_url)
    try:
        with first.lock("acme", "run-1"):
            with pytest.raises(InstanceLocked, match="instance 'acme' is being synced by run run-1"):
                with second.lock("acme", "run-2"):
                    pass
            with second.lock("other", "run-3"):  # another instance is free
                pass
        with second.lock("acme", "run-2"):  # released at the end of the block
            pass
    finally:
        first.close()
        second.close()


def test_the_lock_is_released_when_the_block_raises(store: Store) -> None:
    with pytest.raises(RuntimeError):
        with store.lock("acme", "run-1"):
            raise RuntimeError("boom")
    with store.lock("acme", "run-2"):
        pass


HOLD_THE_LOCK = """
import signal, sys
from sync.store import Store
store = Store.open(sys.argv[1])
with store.lock("acme", "run-killed"):
    print("held", flush=True)
    signal.pause()  # until the test kills it
"""


def test_a_sqlite_lock_dies_with_its_process(tmp_path: object) -> None:
    """kill -9 of the holder: the kernel drops its flock at once; the next run need not wait out a lease."""
    url = f"sqlite:///{tmp_path}/crm-kpi.db"
    Store.open(url).close()  # migrated before the holder starts
    holder = subprocess.Popen([sys.executable, "-c", HOLD_THE_LOCK, url], stdout=subprocess.PIPE, text=True)
    other = Store.open(url)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        with pytest.raises(InstanceLocked, match="by run run-killed"):
            with other.lock("acme", "run-2"):
                pass
        holder.send_signal(signal.SIGKILL)
        holder.wait(timeout=30)
        with other.lock("acme", "run-2") as held:  # at once: no wait, no expiry
            assert held.owner == "run-2"
    finally:
        holder.kill()
        other.close()


def test_a_postgresql_lock_dies_with_its_process(pg_database: str) -> None:
    """kill -9 of the holder: no release code runs, the server ends its session and the lock with it."""
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_THE_LOCK, pg_database], stdout=subprocess.PIPE, text=True
    )
    other = Store.open(pg_database)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        with pytest.raises(InstanceLocked, match="by run run-killed"):
            with other.lock("acme", "run-2"):
                pass
        holder.send_signal(signal.SIGKILL)
        holder.wait(timeout=30)
        for _attempt in range(100):  # the server notices the closed socket promptly; bounded wait
            try:
                with other.lock("acme", "run-2"):
                    break
            except InstanceLocked:
                time.sleep(0.05)
        else:
            pytest.fail("the lock of a killed process was never released")
    finally:
        holder.kill()
        other.close()
        reset_schema(pg_database)
