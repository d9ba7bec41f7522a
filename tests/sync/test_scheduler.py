"""The scheduler's guarantees live in its job declarations: checked on the jobs it builds."""

from __future__ import annotations

import os
import signal
from datetime import UTC, datetime

import pytest

from sync.scheduler import ScheduledInstance, StopOnSignal, build_scheduler, job_id


def test_one_job_per_instance_coalesced_one_at_a_time_with_grace() -> None:
    scheduler = build_scheduler(
        [ScheduledInstance("acme-sf", "*/30 * * * *"), ScheduledInstance("acme-hs", "0 2 * * *")],
        run=lambda name: None,
        misfire_grace_seconds=600,
    )
    jobs = {job.id: job for job in scheduler.get_jobs()}
    assert set(jobs) == {job_id("acme-sf"), job_id("acme-hs")}
    for job in jobs.values():
        assert job.coalesce is True
        assert job.max_instances == 1
        assert job.misfire_grace_time == 600
    assert jobs[job_id("acme-sf")].args == ("acme-sf",)
    start = datetime(2026, 3, 1, 10, 0, 1, tzinfo=UTC)
    trigger = jobs[job_id("acme-sf")].trigger
    first = trigger.get_next_fire_time(None, start)
    assert first == datetime(2026, 3, 1, 10, 30, tzinfo=UTC)
    assert trigger.get_next_fire_time(first, first) == datetime(2026, 3, 1, 11, 0, tzinfo=UTC)


def test_a_bad_cron_names_the_instance() -> None:
    with pytest.raises(ValueError, match="instance 'acme-sf': schedule cron '61 \\* \\* \\* \\*'"):
        build_scheduler([ScheduledInstance("acme-sf", "61 * * * *")], run=lambda name: None)


def test_sigterm_sets_stop_and_calls_back() -> None:
    previous = signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGINT)
    stopper = StopOnSignal()
    called: list[bool] = []
    stopper.on_stop(lambda: called.append(True))
    try:
        stopper.install()
        assert not stopper.stop.is_set()
        os.kill(os.getpid(), signal.SIGTERM)
        assert stopper.stop.is_set() and called == [True]
    finally:
        signal.signal(signal.SIGTERM, previous[0])
        signal.signal(signal.SIGINT, previous[1])
