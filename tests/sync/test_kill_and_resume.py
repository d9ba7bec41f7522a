"""Killed with SIGKILL at any point and run again, the CRM ends exactly as after an uninterrupted run:
no lost update, no duplicate snapshot record, no skipped record."""

from __future__ import annotations

import math
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sync_sandboxes import AS_OF, SandboxFactory, instance_for, settings_for, write_calls

from connectors.config import InstanceConfig
from sandbox.runtime import RunningSandbox
from sync.connections import open_connector
from sync.demo import settings_toml
from sync.install import install_instance
from sync.pipeline import RunOptions
from sync.runner import sync_instance
from sync.store.store import Store

READ_LABELS = {
    "salesforce": ("query", "query_all", "query_more", "query_all_more", "bulk_results"),
    "hubspot": ("objects_list", "search", "associations"),
}


def crm_state(instance: InstanceConfig) -> dict[str, dict[str, float | None]]:
    """Every KPI target as the CRM holds it: snapshot records by key, KPI fields by record."""
    connector = open_connector(instance)
    try:
        state = {value.key: dict(value.values) for value in connector.read_snapshots(None)}
        for obj, kpis in (
            ("opportunity", ["days_open", "days_in_stage"]),
            ("account", ["account_lifetime_revenue"]),
        ):
            for value in connector.read_fields(obj, kpis, None):  # type: ignore[arg-type]
                if any(v is not None for v in value.values.values()):
                    state[value.key] = dict(value.values)
        return state
    finally:
        connector.close()


def snapshot_count(instance: InstanceConfig) -> int:
    connector = open_connector(instance)
    try:
        return sum(1 for _ in connector.read_snapshots(None))
    finally:
        connector.close()


def kill_when(process: subprocess.Popen[bytes], reached: callable, timeout: float = 120) -> bool:  # type: ignore[valid-type]
    """SIGKILL `process` as soon as `reached()` holds; False when it ended first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        if reached():  # type: ignore[operator]
            process.send_signal(signal.SIGKILL)
            process.wait()
            return True
        time.sleep(0.005)
    process.kill()
    raise AssertionError("the sync never reached the kill point")


def reads(sb: RunningSandbox) -> int:
    return sum(sb.ledger.count(label) for label in READ_LABELS[sb.crm])


KILL_POINTS = {
    "extracting": lambda sb: reads(sb) >= 4,
    # A small page size makes streams span pages: killed after the second page of one was fetched.
    "mid-stream": lambda sb: (
        sb.ledger.count("query_all_more") >= 2
        if sb.crm == "salesforce"
        else sb.ledger.count("objects_list") >= 6
    ),
    "writing": lambda sb: write_calls(sb) >= 3,
}
PAGE_SIZE = {"salesforce": 200, "hubspot": 10}


@pytest.mark.parametrize("crm", ["salesforce", "hubspot"])
@pytest.mark.parametrize("point", sorted(KILL_POINTS))
def test_killed_mid_run_then_resumed_ends_as_an_uninterrupted_run(
    sandboxes: SandboxFactory, tmp_path: Path, crm: str, point: str
) -> None:
    with sandboxes.start(crm) as reference, sandboxes.start(crm) as interrupted:
        # The uninterrupted run, on one copy of the org.
        pages = {"page_size": PAGE_SIZE[crm]} if point == "mid-stream" else {}
        ref_instance = instance_for(reference)  # the same name: the org scope id is the instance
        ref_url = f"sqlite:///{tmp_path / 'reference.db'}"
        ref_settings = settings_for(ref_url, ref_instance)
        install_instance(ref_settings, ref_instance, dry_run=False)
        with Store.open(ref_url) as store:
            assert sync_instance(ref_instance, ref_settings, store, RunOptions(as_of=AS_OF)).status == "ok"

        # The same run on the other copy, killed with SIGKILL, then run again to the end.
        instance = instance_for(interrupted, **pages)
        url = f"sqlite:///{tmp_path / 'crm-kpi.db'}"
        settings = settings_for(url, instance)
        install_instance(settings, instance, dry_run=False)
        config = tmp_path / "settings.toml"
        config.write_text(settings_toml(settings), encoding="utf-8")
        interrupted.ledger.reset()
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "sync",
                "sync",
                "--config",
                str(config),
                "--as-of",
                AS_OF.isoformat(),
                "--log-format",
                "json",
            ],
            env=dict(os.environ),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        assert kill_when(process, lambda: KILL_POINTS[point](interrupted)), (
            "the run ended before the kill point"
        )
        with Store.open(url) as store:
            resumed = sync_instance(instance, settings, store, RunOptions(as_of=AS_OF))
            assert resumed.status == "ok", resumed.message
            assert [run.status for run in store.runs(instance.name)][-1] == "interrupted"  # the killed run

        expected, actual = crm_state(ref_instance), crm_state(instance)
        assert set(actual) == set(expected)
        for key, values in expected.items():
            for name, value in values.items():
                got = actual[key][name]
                assert (got is None and value is None) or (
                    got is not None
                    and value is not None
                    and math.isclose(got, value, rel_tol=1e-9, abs_tol=1e-9)
                ), (key, name, got, value)
        assert snapshot_count(instance) == len([k for k in expected if "|" in k])  # no duplicates
