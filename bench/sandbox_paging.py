"""Pages per second a sandbox CRM serves, over real HTTPS, for both sandboxes.

    PYTHONPATH=src python bench/sandbox_paging.py --size medium --clients 1 --clients 4

Each CRM pages through its opportunities (Salesforce `query` + `nextRecordsUrl`, 2,000 per page; HubSpot
deals list + `paging.next.after`, 100 per page) with keep-alive requests sessions, `--clients` of them in
parallel, each reading the whole list (`--passes` times). Readers are separate processes: in the server's
process they would share its GIL and the figure would be the client's JSON parsing as much as the server;
they parse with orjson for the same reason.
The org is generated and rendered before timing starts (both printed, with the process's resident memory
after rendering and its peak so far). Burst limits are off (`burst=none`) so the figure is the server's,
not a throttle's; the daily counter and its headers stay on, as they cost what they cost. Prints one line
per CRM and client count.
"""

from __future__ import annotations

import argparse
import gc
import multiprocessing
import os
import resource
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from typing import Any

import orjson
import requests

from sandbox.generator import generate_org
from sandbox.generator.spec import resolve_spec
from sandbox.runtime import RunningSandbox, Sandbox

SF_QUERY = (
    "SELECT Id, Name, StageName, Amount, CurrencyIsoCode, CloseDate, OwnerId, AccountId, "
    "SystemModstamp FROM Opportunity"
)
HS_PROPERTIES = "dealname,dealstage,pipeline,amount,deal_currency_code,closedate,hubspot_owner_id"


def fetch(session: requests.Session, url: str, **params: Any) -> Any:
    """GET and parse with orjson: the stdlib parser in the reader would be as slow as the server's page."""
    response = session.get(url, params=params or None)
    response.raise_for_status()
    return orjson.loads(response.content)


def salesforce_pages(session: requests.Session, base_url: str) -> Iterator[int]:
    body = fetch(session, f"{base_url}/services/data/v59.0/query", q=SF_QUERY)
    yield len(body["records"])
    while not body["done"]:
        body = fetch(session, base_url + body["nextRecordsUrl"])
        yield len(body["records"])


def hubspot_pages(session: requests.Session, base_url: str) -> Iterator[int]:
    params: dict[str, Any] = {"limit": 100, "properties": HS_PROPERTIES}
    while True:
        body = fetch(session, f"{base_url}/crm/v3/objects/deals", **params)
        yield len(body["results"])
        after = body.get("paging", {}).get("next", {}).get("after")
        if after is None:
            return
        params["after"] = after


PAGERS: dict[str, Callable[[requests.Session, str], Iterator[int]]] = {
    "salesforce": salesforce_pages,
    "hubspot": hubspot_pages,
}


@dataclass
class Result:
    crm: str
    clients: int
    pages: int
    records: int
    seconds: float


def read_all(crm: str, base_url: str, token: str, ca_file: str, passes: int = 1) -> tuple[int, int]:
    """Page through the whole list `passes` times; (pages, records). Runs in a reader process."""
    session = requests.Session()
    session.trust_env = False  # REQUESTS_CA_BUNDLE would override verify
    session.verify = ca_file
    session.headers["Authorization"] = f"Bearer {token}"
    pages = records = 0
    for _ in range(passes):
        for count in PAGERS[crm](session, base_url):
            pages, records = pages + 1, records + count
    return pages, records


def measure(running: RunningSandbox, crm: str, clients: int, passes: int = 1) -> Result:
    target = (crm, running.base_url, running.token, running.ca_file, passes)
    with ProcessPoolExecutor(clients, mp_context=multiprocessing.get_context("spawn")) as pool:
        # warm-up: processes, connections, caches
        list(pool.map(read_all, *zip(*[target] * clients, strict=True)))
        started = time.perf_counter()
        totals = list(pool.map(read_all, *zip(*[target] * clients, strict=True)))
        seconds = time.perf_counter() - started
    return Result(crm, clients, sum(p for p, _ in totals), sum(r for _, r in totals), seconds)


def memory_mb() -> tuple[float, float]:
    """(resident now, peak so far) of this process, in MB."""
    with open("/proc/self/statm") as statm:
        resident = int(statm.read().split()[1]) * resource.getpagesize()
    return resident / 2**20, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def watch_memory(limit_gb: float, started: float) -> None:
    """Stop the process (exit 3) when its resident memory passes `limit_gb`, saying how far it got: a large
    org can need more memory than the machine has, and the machine is shared."""

    def watch() -> None:
        while True:
            resident, _ = memory_mb()
            if resident > limit_gb * 1024:
                print(
                    f"stopped: RSS {resident:,.0f} MB passed --max-rss-gb {limit_gb} "
                    f"{time.perf_counter() - started:.1f} s into rendering",
                    flush=True,
                )
                os._exit(3)
            time.sleep(0.2)

    threading.Thread(target=watch, daemon=True).start()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--crm", choices=[*PAGERS, "both"], default="both")
    parser.add_argument("--size", default="small", help="generated org size (tiny, small, medium, large)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--clients", type=int, action="append", help="parallel readers (repeatable); default 1"
    )
    parser.add_argument("--activities", type=int, help="override the size's activity count")
    parser.add_argument(
        "--passes", type=int, default=1, help="times each reader reads the whole list (timed)"
    )
    parser.add_argument("--max-rss-gb", type=float, help="stop (exit 3) when resident memory passes this")
    args = parser.parse_args()
    crms = list(PAGERS) if args.crm == "both" else [args.crm]
    for crm in crms:
        started = time.perf_counter()
        size = resolve_spec(args.size)
        if args.activities is not None:
            size = replace(size, activities=args.activities)
        org = generate_org(size=size, seed=args.seed, source=crm)  # ids in the CRM's own shape
        print(
            f"{crm}: org size={args.size} ({size.opportunities:,} opportunities, "
            f"{size.activities:,} activities) "
            f"seed={args.seed} generated in {time.perf_counter() - started:.1f} s"
        )
        started = time.perf_counter()
        if args.max_rss_gb:
            watch_memory(args.max_rss_gb, started)
        with Sandbox(crm=crm, org=org, limits="burst=none", instance=f"bench-{crm}") as running:
            resident, peak = memory_mb()
            print(
                f"{crm}: rendered and started in {time.perf_counter() - started:.1f} s, "
                f"RSS {resident:,.0f} MB (peak so far {peak:,.0f} MB)"
            )
            for clients in args.clients or [1]:
                result = measure(running, crm, clients, args.passes)
                print(
                    f"{crm:<10} clients={clients:<2} pages={result.pages:<6} records={result.records:<8} "
                    f"{result.seconds:6.2f} s  {result.pages / result.seconds:8.1f} pages/s  "
                    f"{result.records / result.seconds:10.0f} records/s"
                )
        del org, running
        gc.collect()


if __name__ == "__main__":
    main()
