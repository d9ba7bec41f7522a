"""Full and incremental extract of a generated Salesforce sandbox org, against the floor.

    PYTHONPATH=src python bench/extract_salesforce.py --size small --size medium

For each size the sandbox runs in its own process (`python -m sync sandbox --generate`), so that this
process measures the client alone. Per size it prints:
- full extract: wall time of every stream read through `SalesforceConnector.extract` over REST (records
  normalised into schema records, batches dropped as the sync would after storing them), best of `--repeat`;
- the floor: the same SOQL, the same pages, fetched with bare `requests` + `orjson` in the same run;
- API calls: the connector's own count against the minimum (ceil(rows / 2,000) per object, one describe per
  object read, one global describe, one token request);
- peak Python memory of one full extract (tracemalloc, a separate pass so it does not slow the timing);
- the same extract with Bulk API 2.0 above 10,000 rows (the default `bulk_threshold`): time and calls;
- an incremental extract right after, with nothing changed: its calls and records.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import threading
import time
import tracemalloc
from pathlib import Path
from typing import Any

import orjson
import requests

from connectors.config import InstanceConfig
from connectors.salesforce import SalesforceConnector, connect
from connectors.salesforce.extract import soql
from connectors.salesforce.streams import STREAMS


def start_sandbox(size: str, state_dir: Path) -> tuple[subprocess.Popen[str], dict[str, Any]]:
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "sync",
            "sandbox",
            "--crm",
            "salesforce",
            "--generate",
            "--size",
            size,
            "--seed",
            "1",
            "--as-of",
            "2025-06-30",
            "--limits",
            "burst=none",
            "--state-dir",
            str(state_dir),
        ],
        stdout=subprocess.PIPE,
        text=True,
        env=os.environ | {"PYTHONPATH": "src"},
    )
    assert process.stdout is not None
    info = json.loads(process.stdout.readline())
    # keep draining its output: a full pipe would block the server mid-response
    threading.Thread(target=process.stdout.read, daemon=True).start()
    return process, info


def connector_for(info: dict[str, Any], bulk_threshold: int | None = None) -> SalesforceConnector:
    os.environ["BENCH_SF_ID"], os.environ["BENCH_SF_SECRET"] = info["client_id"], info["client_secret"]
    instance = InstanceConfig(
        name="bench",
        crm="salesforce",
        url=info["base_url"],
        auth="client_credentials",
        client_id_env="BENCH_SF_ID",
        client_secret_env="BENCH_SF_SECRET",
        ca_file=Path(info["ca_file"]),
        lookback_seconds=0,
        bulk_threshold=bulk_threshold,
        field_mapping={
            "user.started_at": "Start_Date__c",
            "account.region": "Region__c",
            "opportunity.contract_months": "Contract_Months__c",
        },
    )
    return connect(instance)


def full_extract(connector: SalesforceConnector) -> tuple[dict[str, int], dict[str, Any]]:
    rows: dict[str, int] = {}
    cursors: dict[str, Any] = {}
    for stream in connector.streams():
        for batch in connector.extract(stream, None):
            rows[stream.name] = rows.get(stream.name, 0) + len(batch.records) + len(batch.quarantined)
            cursors[stream.name] = batch.cursor
    return rows, cursors


def floor(info: dict[str, Any], queries: list[tuple[str, bool]]) -> int:
    """The same pages with bare requests + orjson: the least any client pays."""
    session = requests.Session()
    session.trust_env = False
    session.verify = info["ca_file"]
    token = session.post(
        f"{info['base_url']}/services/oauth2/token",
        data={
            "grant_type": "client_credentials",
            "client_id": info["client_id"],
            "client_secret": info["client_secret"],
        },
    ).json()["access_token"]
    session.headers["Authorization"] = f"Bearer {token}"
    rows = 0
    for text, include_deleted in queries:
        url = f"{info['base_url']}/services/data/v59.0/{'queryAll' if include_deleted else 'query'}/"
        body = orjson.loads(session.get(url, params={"q": text}).content)
        rows += len(body["records"])
        while not body["done"]:
            body = orjson.loads(session.get(info["base_url"] + body["nextRecordsUrl"]).content)
            rows += len(body["records"])
    return rows


def bench(size: str, repeat: int, state_dir: Path) -> None:
    process, info = start_sandbox(size, state_dir)
    try:
        warm = connector_for(info)
        present = warm.client.sobjects()
        streams = [s for s in STREAMS if not s.optional or s.name in present]
        queries = [(soql(s, warm.selected_fields(s), None), s.include_deleted) for s in streams]
        objects = len(streams)
        times, floors, calls, rows = [], [], 0, {}
        for _ in range(repeat):
            started = time.perf_counter()
            floor(info, queries)
            floors.append(time.perf_counter() - started)
            connector = connector_for(info)
            started = time.perf_counter()
            rows, cursors = full_extract(connector)
            times.append(time.perf_counter() - started)
            calls = connector.usage.calls
        minimum = sum(max(1, math.ceil(n / 2000)) for n in rows.values()) + objects + 1
        bulk = connector_for(info, bulk_threshold=10_000)
        started = time.perf_counter()
        full_extract(bulk)
        bulk_time = time.perf_counter() - started
        tracemalloc.start()
        full_extract(connector_for(info))
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        connector.usage.calls_by_label.clear()
        before = connector.usage.calls
        changed = sum(len(b.records) for s in streams for b in connector.extract(s, cursors.get(s.name)))
        print(
            f"{size}: {sum(rows.values()):,} rows in {objects} objects | REST full extract "
            f"{min(times):.2f} s, floor {min(floors):.2f} s ({min(times) / min(floors):.2f}x) | "
            f"calls {calls} "
            f"(minimum {minimum}: ceil(rows/2000) per object + {objects} describes + 1 global describe) | "
            f"peak Python memory {peak / 2**20:.1f} MiB | with Bulk above 10,000 rows: {bulk_time:.2f} s, "
            f"{bulk.usage.calls} calls "
            f"({bulk.usage.calls_by_label}) | incremental, nothing changed: {connector.usage.calls - before} "
            f"calls ({connector.usage.calls_by_label}), {changed} records",
            flush=True,
        )
    finally:
        process.terminate()
        process.wait()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--size", action="append", choices=["tiny", "small", "medium", "large"])
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--state-dir", type=Path, default=Path("/tmp/crm-kpi-bench-sf"))
    args = parser.parse_args()
    for size in args.size or ["small"]:
        bench(size, args.repeat, args.state_dir)


if __name__ == "__main__":
    main()
