"""The HubSpot connector's full and incremental extract against the bare-HTTP floor, in one run.

    PYTHONPATH=src python bench/extract_hubspot.py --size medium

A HubSpot sandbox serves a generated org (burst limits off, so the figure is not a throttle's). Then, each
in its own process (the sandbox's server thread must not share a GIL with the reader):

- the connector's full extract of every stream, every batch drained as the sync would (records counted,
  not kept): wall time, peak resident memory of the process, calls by kind;
- the floor: the same requests (the same list pages with the same properties, the same v4 association
  reads, owners, pipelines) with a bare keep-alive `requests` session and orjson, nothing normalised;
- `--changed` deals and as many calls edited and one deal archived in the portal, then the incremental
  extract from the full extract's cursors, and its floor (the same searches and archived lists).

Calls are compared with the minimum the API allows: ceil(live / 100) list pages per object type (owners
500 a page), one archived list per object, ceil(n / 100) association reads per target type, one pipelines
call; incremental: ceil(changed / 200) search pages per object type plus its archived list.
"""

from __future__ import annotations

import argparse
import math
import multiprocessing
import os
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from typing import Any

import orjson
import requests
import urllib3

from sandbox.generator import generate_org
from sandbox.generator.spec import resolve_spec
from sandbox.runtime import Sandbox

Target = tuple[str, str, str]  # base_url, token, ca_file


def status_mb(field: str) -> float:
    """A memory figure of this process from /proc/self/status (VmRSS now, VmHWM its peak)."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    return 0.0


def peak_mb() -> float:
    return status_mb("VmHWM")


def reset_peak() -> float:
    """Restart the peak-RSS count (Linux `clear_refs` 5) so each run in this worker is measured alone;
    the resident memory now."""
    with open("/proc/self/clear_refs", "w") as refs:
        refs.write("5")
    return status_mb("VmRSS")


def connector_run(
    target: Target, cursors: dict[str, Any] | None, searches_per_second: float
) -> dict[str, Any]:
    """Runs in a child process: one extract of every stream through the connector."""
    from connectors.config import InstanceConfig
    from connectors.hubspot import connect

    base_url, token, ca_file = target
    os.environ["BENCH_HS_TOKEN"] = token
    instance = InstanceConfig(
        name="bench",
        crm="hubspot",
        url=base_url,
        auth="private_app",
        token_env="BENCH_HS_TOKEN",
        ca_file=ca_file,
        lookback_seconds=0,
    )
    connector = connect(instance, searches_per_second=searches_per_second)
    # The client's sub-APIs are imported and built on first use (a few hundred ms, once per process):
    # build them before timing, as a long-lived sync process would have.
    for path in (
        "crm.owners.owners_api",
        "crm.pipelines.pipelines_api",
        "crm.objects.basic_api",
        "crm.objects.search_api",
        "crm.associations.v4.batch_api",
    ):
        connector.client.api(path)
    before = reset_peak()
    started = time.perf_counter()
    records: Counter[str] = Counter()
    out_cursors: dict[str, Any] = {}
    plan: dict[str, list[str]] = {}
    for stream in connector.streams():
        plan[stream.name] = (
            connector.extractor.properties(stream, connector.context()) if stream.kind == "objects" else []
        )
        for batch in connector.extract(stream, (cursors or {}).get(stream.name)):
            records[batch.table] += len(batch.records)
            if batch.cursor is not None:
                out_cursors[stream.name] = batch.cursor
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "records": dict(records),
        "calls": dict(connector.usage.calls_by_label),
        "cursors": out_cursors,
        "peak_mb": peak_mb(),
        "start_mb": before,
        "properties": plan,
    }


class Bare:
    """GET and POST JSON with one keep-alive transport, parsed with orjson: `requests` (the issue's floor)
    or `urllib3` (what hubspot-api-client itself sends through; requests adds ~2.5 ms a call here)."""

    def __init__(self, transport: str, target: Target) -> None:
        self.base_url, token, ca_file = target
        self.calls = 0
        self.auth = {"Authorization": f"Bearer {token}"}
        if transport == "requests":
            self.session = requests.Session()
            self.session.trust_env = False
            self.session.verify = ca_file
            self.session.headers.update(self.auth)
            self.pool = None
        else:
            self.pool = urllib3.PoolManager(ca_certs=ca_file)

    def get(self, path: str, **params: Any) -> Any:
        self.calls += 1
        if self.pool is None:
            response = self.session.get(self.base_url + path, params=params)
            response.raise_for_status()
            return orjson.loads(response.content)
        answer = self.pool.request("GET", self.base_url + path, fields=_fields(params), headers=self.auth)
        assert answer.status == 200, answer.status
        return orjson.loads(answer.data)

    def post(self, path: str, body: Any) -> Any:
        self.calls += 1
        data, headers = orjson.dumps(body), {**self.auth, "Content-Type": "application/json"}
        if self.pool is None:
            response = self.session.post(self.base_url + path, data=data, headers=headers)
            response.raise_for_status()
            return orjson.loads(response.content)
        answer = self.pool.request("POST", self.base_url + path, body=data, headers=headers)
        assert answer.status in (200, 207), answer.status
        return orjson.loads(answer.data)


def _fields(params: dict[str, Any]) -> list[tuple[str, str]]:
    return [(k, str(x)) for k, v in params.items() for x in (v if isinstance(v, list) else [v])]


def floor_run(
    transport: str,
    target: Target,
    properties: dict[str, list[str]],
    links: dict[str, list[str]],
    windows: dict[str, tuple[int, int]] | None,
) -> dict[str, Any]:
    """Runs in a child process: the same requests, bare (`windows`: incremental), nothing normalised."""
    reset_peak()
    bare = Bare(transport, target)
    get, post = bare.get, bare.post

    def associate(object_type: str, page: list[dict[str, Any]]) -> None:
        ids = [r["id"] for r in page if not r.get("archived")]
        for to_type in links.get(object_type, []):
            for start in range(0, len(ids), 100):
                post(
                    f"/crm/v4/associations/{object_type}/{to_type}/batch/read",
                    {"inputs": [{"id": i} for i in ids[start : start + 100]]},
                )

    def listing(object_type: str, archived: bool) -> None:
        params: dict[str, Any] = {
            "limit": 100,
            "properties": properties[object_type],
            "archived": str(archived).lower(),
        }
        while True:
            body = get(f"/crm/v3/objects/{object_type}", **params)
            if not archived:
                associate(object_type, body["results"])
            after = (body.get("paging") or {}).get("next", {}).get("after")
            if after is None:
                return
            params["after"] = after

    def searching(object_type: str, field: str, lower: int, until: int) -> None:
        last = None
        while True:
            filters = [
                {"propertyName": field, "operator": "GTE", "value": str(lower)},
                {"propertyName": field, "operator": "LTE", "value": str(until)},
            ]
            if last:
                filters.append({"propertyName": "hs_object_id", "operator": "GT", "value": last})
            body = post(
                f"/crm/v3/objects/{object_type}/search",
                {
                    "filterGroups": [{"filters": filters}],
                    "properties": properties[object_type],
                    "limit": 200,
                    "sorts": [{"propertyName": "hs_object_id", "direction": "ASCENDING"}],
                },
            )
            associate(object_type, body["results"])
            if not body.get("paging") or not body["results"]:
                return
            last = body["results"][-1]["id"]

    started = time.perf_counter()
    get("/crm/v3/pipelines/deals")
    for archived in ("false", "true"):
        get("/crm/v3/owners", limit=500, archived=archived)
    for object_type, names in properties.items():
        if not names:
            continue
        if windows is None:
            listing(object_type, archived=False)
        else:
            field = "lastmodifieddate" if object_type == "contacts" else "hs_lastmodifieddate"
            searching(object_type, field, *windows[object_type])
        listing(object_type, archived=True)
    return {"seconds": time.perf_counter() - started, "calls": bare.calls, "peak_mb": peak_mb()}


LINKS = {
    "contacts": ["deals"],
    "deals": ["companies"],
    "line_items": ["deals"],
    **{t: ["deals", "companies", "contacts"] for t in ("calls", "emails", "meetings", "tasks", "notes")},
}
OBJECT_TYPES = 11  # owners + the ten object streams (pipelines are one call, not an object type)


def counts(portal: Any, object_types: Any) -> dict[str, tuple[int, int]]:
    """(live, archived) records per object type, as the portal holds them now."""
    out = {}
    for name in object_types:
        records = portal.store.records[name].values()
        archived = sum(1 for r in records if r.archived)
        out[name] = (len(records) - archived, archived)
    return out


def directory_minimum(portal: Any) -> int:
    """One pipelines call; owners 500 a page, live and (when there are any) archived."""
    archived = sum(1 for o in portal.owners.values() if o.archived)
    live = len(portal.owners) - archived
    return 1 + max(1, math.ceil(live / 500)) + math.ceil(archived / 500)


def minimum_full(portal: Any, object_types: Any) -> int:
    """ceil(live / 100) list pages and association reads per type, ceil(archived / 100) archived pages."""
    total = directory_minimum(portal)
    for name, (live, archived) in counts(portal, object_types).items():
        total += math.ceil(live / 100) + math.ceil(archived / 100)
        total += math.ceil(live / 100) * len(LINKS.get(name, ()))
    return total


def minimum_incremental(portal: Any, changed: dict[str, int]) -> int:
    """One search per object type (one page even when nothing changed), ceil(changed / 200) where more,
    the association reads of the changed records, the archived lists (deletes are only found there)."""
    total = directory_minimum(portal)
    for name, (_, archived) in counts(portal, changed).items():
        total += max(1, math.ceil(changed[name] / 200)) + math.ceil(archived / 100)
        total += math.ceil(changed[name] / 100) * len(LINKS.get(name, ()))
    return total


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--size", default="medium")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--activities", type=int, help="override the size's activity count")
    parser.add_argument("--runs", type=int, default=2, help="measurements of each kind; the fastest is kept")
    parser.add_argument(
        "--changed", type=int, default=500, help="deals and calls edited before the incremental"
    )
    parser.add_argument(
        "--search-rate",
        type=float,
        default=0.0,
        help="the connector's search pacing (HubSpot allows ~5/s; 0 = off, to compare with the "
        "floor, which does not pace)",
    )
    args = parser.parse_args()
    started = time.perf_counter()
    spec = resolve_spec(args.size)
    if args.activities is not None:
        spec = replace(spec, activities=args.activities)
    org = generate_org(spec, seed=args.seed, source="hubspot")
    print(
        f"org size={args.size} seed={args.seed}: {org.spec.opportunities:,} deals, "
        f"{org.spec.activities:,} activities; generated in {time.perf_counter() - started:.1f} s"
    )
    with (
        Sandbox(crm="hubspot", org=org, limits="burst=none", instance="bench") as sb,
        ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool,
    ):
        print(f"rendered and served in {time.perf_counter() - started:.1f} s")
        target = (sb.base_url, sb.token, sb.ca_file)
        pool.submit(peak_mb).result()  # start the worker before timing
        full, floors, connector_calls = rounds(
            sb,
            args.runs,
            lambda: pool.submit(connector_run, target, None, args.search_rate).result(),
            lambda transport, props: pool.submit(floor_run, transport, target, props, LINKS, None).result(),
        )
        props = {k: v for k, v in full["properties"].items() if v}
        report("full", full, floors, connector_calls, minimum_full(sb.store, props))

        portal = sb.store
        deals = [r.id for r in portal.store.iter("deals")][: args.changed]
        calls = [r.id for r in portal.store.iter("calls")][: args.changed]
        for deal in deals:
            portal.edit("deals", deal, {"amount": "123"})
        for call in calls:
            portal.edit("calls", call, {"hs_call_duration": "60000"})
        portal.delete("deals", deals[-1])
        changed = dict.fromkeys(props, 0) | {"deals": len(deals) - 1, "calls": len(calls)}
        until = int(time.time() * 1000)
        windows = {name: (c["since"], until) for name, c in full["cursors"].items() if name in props}
        incremental, floors, connector_calls = rounds(
            sb,
            args.runs,
            lambda: pool.submit(connector_run, target, full["cursors"], args.search_rate).result(),
            lambda transport, props: pool.submit(
                floor_run, transport, target, props, LINKS, windows
            ).result(),
        )
        report("incremental", incremental, floors, connector_calls, minimum_incremental(sb.store, changed))


def rounds(sb: Any, runs: int, connector: Any, floor: Any) -> tuple[dict[str, Any], dict[str, Any], int]:
    """`runs` rounds of (connector, requests floor, urllib3 floor), interleaved so that the load of the
    shared machine hits each alike; the fastest of each kind, and the calls one connector run made."""
    best: dict[str, dict[str, Any]] = {}
    calls = 0
    for _ in range(runs):
        sb.ledger.reset()
        result = connector()
        calls = sb.ledger.count()
        props = {k: v for k, v in result["properties"].items() if v}
        kinds = {"connector": result} | {t: floor(t, props) for t in TRANSPORTS}
        for kind, measured in kinds.items():
            if kind not in best or measured["seconds"] < best[kind]["seconds"]:
                best[kind] = measured
    return best.pop("connector"), best, calls


def report(
    name: str, run: dict[str, Any], floors: dict[str, dict[str, Any]], calls: int, minimum: int
) -> None:
    records = sum(run["records"].values())
    ratios = ", ".join(
        f"{t} floor {f['seconds']:.2f} s ({run['seconds'] / f['seconds']:.2f}x)" for t, f in floors.items()
    )
    print(f"{name}: connector {run['seconds']:.2f} s for {records:,} records; {ratios}")
    print(
        f"{name}: peak RSS connector {run['peak_mb']:,.0f} MB (before extracting {run['start_mb']:,.0f} MB), "
        f"floor {max(f['peak_mb'] for f in floors.values()):,.0f} MB"
    )
    print(
        f"{name}: calls {calls:,} (floor {floors['requests']['calls']:,}); minimum {minimum:,} + one per "
        f"object type ({OBJECT_TYPES}) = {minimum + OBJECT_TYPES:,}; by kind {run['calls']}"
    )
    print(f"{name}: records {run['records']}")


TRANSPORTS = ("requests", "urllib3")

if __name__ == "__main__":
    main()
