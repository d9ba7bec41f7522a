"""Full and incremental `crm-kpi sync` of a generated org on each sandbox CRM, and compute from the store
against compute from Parquet.

    PYTHONPATH=src python bench/sync_runs.py             # the demo org (20,000 opportunities), both CRMs
    PYTHONPATH=src python bench/sync_runs.py --size small --crm salesforce

The sandbox runs in its own process (`python -m sync sandbox --generate`) and each sync in another
(`python -m sync sync`), so the figures are the sync's alone. Per CRM it prints:
- install, then three syncs: the full first one, one with nothing changed in the CRM (it reads back the
  first run's own field writes, so Opportunity and Account come again), and one more with nothing changed;
  each with wall time, the child's peak RSS, records read, values written and API calls;
- the minimum API calls of the full sync: ceil(rows / page) per stream read plus ceil(writes / batch);
- compute of the write-back KPIs from the store (`Store.dataset`) against the same tables read from Parquet.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl

from sync.compute_for_writeback import writeback_values
from sync.demo import instance_settings, settings_toml
from sync.settings import Settings
from sync.settings_tables import StoreSettings
from sync.store.store import Store

AS_OF = date(2026, 6, 30)
PAGE = {"salesforce": 2_000, "hubspot": 100}
BATCH = {"salesforce": 200, "hubspot": 100}
ENV = os.environ | {"PYTHONPATH": "src"}


def start_sandbox(crm: str, size: str, state: Path) -> tuple[subprocess.Popen[str], dict[str, Any]]:
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "sync",
            "sandbox",
            "--crm",
            crm,
            "--generate",
            "--size",
            size,
            "--seed",
            "0",
            "--as-of",
            AS_OF.isoformat(),
            "--limits",
            "daily=none,burst=none",
            "--state-dir",
            str(state),
        ],
        stdout=subprocess.PIPE,
        text=True,
        env=ENV,
    )
    assert process.stdout is not None
    return process, json.loads(process.stdout.readline())


def timed_child(args: list[str]) -> tuple[float, float, str]:
    """(wall seconds, peak RSS in MiB, stdout) of one `python -m sync ...` child."""
    start = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "sync", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=ENV,
    )
    assert process.stdout is not None
    out = process.stdout.read()
    _, _, usage = os.wait4(process.pid, 0)
    process.returncode = 0  # reaped by wait4
    return time.perf_counter() - start, usage.ru_maxrss / 1024, out


def bench(crm: str, size: str, workdir: Path) -> None:
    sandbox, info = start_sandbox(crm, size, workdir / "state")
    try:
        instance, env = instance_settings(crm, info)
        os.environ.update(env)
        ENV.update(env)
        url = f"sqlite:///{workdir / f'{crm}.db'}"
        settings = Settings(store=StoreSettings(url=url), instances=(instance,))
        config = workdir / f"{crm}.toml"
        config.write_text(settings_toml(settings), encoding="utf-8")
        seconds, _, _ = timed_child(["install", "--config", str(config), "--format", "json"])
        print(f"{crm}: install {seconds:.1f} s")
        for label in ("full", "nothing changed (reads back its own field writes)", "nothing changed"):
            seconds, peak, out = timed_child(
                [
                    "sync",
                    "--config",
                    str(config),
                    "--as-of",
                    AS_OF.isoformat(),
                    "--format",
                    "json",
                    "--log-format",
                    "json",
                ]
            )
            (run,) = json.loads(out)["runs"]
            print(
                f"{crm}: sync {label}: {seconds:.1f} s, peak RSS {peak:,.0f} MiB, "
                f"{run['read']:,} records read, {run['written']:,} written, {run['api_calls']:,} API calls"
            )
            if label == "full":
                reads = sum(math.ceil(n / PAGE[crm]) for n in run["extracted"].values() if n)
                writes = math.ceil(run["written"] / BATCH[crm])
                print(
                    f"{crm}:   minimum for the full sync: {reads} read pages + about {writes} write batches "
                    f"= {reads + writes} (the connector also describes objects and reads stage definitions)"
                )
        with Store.open(url) as store:
            start = time.perf_counter()
            dataset = store.dataset(instance.name)
            from_store = time.perf_counter() - start
            start = time.perf_counter()
            writeback_values(dataset, settings.kpis, settings.writeback, AS_OF)
            compute = time.perf_counter() - start
            parquet = workdir / f"{crm}-parquet"
            parquet.mkdir(exist_ok=True)
            for name, frame in dataset.tables().items():
                frame.write_parquet(parquet / f"{name}.parquet")
        start = time.perf_counter()
        tables = {p.stem: pl.read_parquet(p) for p in parquet.glob("*.parquet")}
        from_parquet = time.perf_counter() - start
        print(
            f"{crm}: read for compute: store {from_store:.2f} s, Parquet {from_parquet:.2f} s "
            f"({sum(t.height for t in tables.values()):,} rows); the write-back compute {compute:.2f} s"
        )
    finally:
        sandbox.terminate()
        sandbox.wait()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--size", default="demo")
    parser.add_argument("--crm", action="append", choices=["salesforce", "hubspot"])
    args = parser.parse_args()
    print(f"load average at start: {os.getloadavg()[0]:.1f} (2 cores)")
    with tempfile.TemporaryDirectory() as workdir:
        for crm in args.crm or ["salesforce", "hubspot"]:
            bench(crm, args.size, Path(workdir))


if __name__ == "__main__":
    main()
