"""Many orgs on Celery workers: N sandbox instances synced by 1, 2 and 4 `crm-kpi worker` processes.

    PYTHONPATH=src python bench/many_orgs.py --instances 20 --workers 1,2,4

For each worker count, in a fresh PostgreSQL database and on a fresh queue: N sandbox CRMs (half
Salesforce, half HubSpot, generated orgs, served from this process as the tests do) are installed, then
every instance gets `--runs-per-instance` runs enqueued at once (two by default: the second finds the
instance busy while the first runs and is deferred — the contention a schedule firing during a long run
makes). The workers are real `crm-kpi worker` processes. Printed per round: runs completed, wall time
(first enqueue to last run's end), runs per worker (from the workers' logs), and from the store's run
history the proof that no instance ever ran twice at once (no two runs of one instance with overlapping
[started_at, ended_at)); per instance, the API calls its runs made and the day's count the CRM reported,
against its budget (`api_budget_share` of the sandbox's daily limit).

The sandboxes share this process's GIL, so past a few workers they, not the workers, set the pace: the
figures show the spread and the guarantees; the speed-up is bounded by the machine (2 cores here).
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from datetime import date
from pathlib import Path

import psycopg
import sqlalchemy as sa
from kombu import Connection

from connectors.config import InstanceConfig
from sandbox.generator import generate_org
from sandbox.runtime import RunningSandbox, Sandbox
from sandbox.salesforce.standard_objects import FIELD_MAPPING
from sync.demo import settings_toml
from sync.install import install_instance
from sync.settings import Settings
from sync.settings_tables import StoreSettings, WorkersSettings
from sync.store.budget import StoreBudget
from sync.store.run_history import RunRecord
from sync.store.store import Store
from sync.workers.celery_app import configure
from sync.workers.enqueue import enqueue_run

AS_OF = date(2026, 6, 30)
BROKER = "amqp://guest:guest@127.0.0.1:5672//"
SHARE = 0.5
FINISHED = ("ok", "partial", "failed", "interrupted")
"""How a run ends here (no worker is killed: `interrupted` is a run its budget stopped)."""


@contextmanager
def scratch_database(server: str) -> Iterator[str]:
    name = f"crmkpi_many_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield (
                sa.make_url(server)
                .set(drivername="postgresql+psycopg", database=name)
                .render_as_string(False)
            )
        finally:
            admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


def instance_of(sb: RunningSandbox, name: str) -> InstanceConfig:
    key = name.upper().replace("-", "_")
    if sb.crm == "salesforce":
        os.environ[f"{key}_ID"], os.environ[f"{key}_SECRET"] = sb.client_id or "", sb.client_secret or ""
        return InstanceConfig(
            name=name,
            crm="salesforce",
            url=sb.base_url,
            auth="client_credentials",
            client_id_env=f"{key}_ID",
            client_secret_env=f"{key}_SECRET",
            ca_file=Path(sb.ca_file),
            api_budget_share=SHARE,
            field_mapping=FIELD_MAPPING,
        )
    os.environ[f"{key}_TOKEN"] = sb.token
    return InstanceConfig(
        name=name,
        crm="hubspot",
        url=sb.base_url,
        auth="private_app",
        token_env=f"{key}_TOKEN",
        ca_file=Path(sb.ca_file),
        api_budget_share=SHARE,
    )


def overlaps(runs: list[RunRecord]) -> list[tuple[str, str]]:
    """Pairs of runs of one instance whose [started_at, ended_at) intersect."""
    found = []
    by_instance: dict[str, list[RunRecord]] = defaultdict(list)
    for run in runs:
        by_instance[run.instance].append(run)
    for listed in by_instance.values():
        listed.sort(key=lambda r: r.started_at)
        for before, after in zip(listed, listed[1:], strict=False):
            if before.ended_at is None or after.started_at < before.ended_at:
                found.append((before.run_id, after.run_id))
    return found


def round_with(workers: int, args: argparse.Namespace, state: Path) -> None:
    queue = f"crm-kpi-bench-{os.getpid()}-{workers}"
    with ExitStack() as stack, tempfile.TemporaryDirectory() as scratch:
        url = stack.enter_context(scratch_database(args.postgres))
        sandboxes = []
        for i in range(args.instances):
            crm = "salesforce" if i % 2 == 0 else "hubspot"
            org = generate_org(args.size, 100 + i, AS_OF, crm)
            sb = stack.enter_context(
                Sandbox(crm=crm, org=org, state_dir=state, limits=f"daily={args.daily_limit}").start()
            )
            sandboxes.append(instance_of(sb, f"org-{i:02d}-{crm[:2]}"))
        settings = Settings(
            store=StoreSettings(url=url),
            instances=tuple(sandboxes),
            workers=WorkersSettings(broker_url=BROKER, queue=queue, busy_retry_seconds=args.busy_retry),
        )
        for instance in sandboxes:
            install_instance(settings, instance, dry_run=False)
        config = Path(scratch) / "settings.toml"
        config.write_text(
            settings_toml(settings)
            + f'\n[workers]\nbroker_url = "{BROKER}"\nqueue = "{queue}"\n'
            + f"busy_retry_seconds = {args.busy_retry}\n"
        )
        logs = [Path(scratch) / f"worker-{n}.log" for n in range(workers)]
        processes = [
            subprocess.Popen(
                [sys.executable, "-m", "sync", "worker", "--config", str(config)],
                stdout=log.open("wb"),
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
            for log in logs
        ]
        try:
            deadline = time.monotonic() + 120
            while not all("ready." in log.read_text(errors="replace") for log in logs):
                if time.monotonic() > deadline:
                    raise SystemExit(
                        "the workers did not start:\n"
                        + "\n".join(log.read_text(errors="replace")[-3000:] for log in logs)
                    )
                time.sleep(0.2)
            app = configure(settings, role="bench")
            with Store.open(url) as store:
                start = time.monotonic()
                run_ids = [
                    enqueue_run(app, store, instance.name, as_of=AS_OF).run_id
                    for _ in range(args.runs_per_instance)
                    for instance in sandboxes
                ]
                while True:
                    runs = [r for r in store.runs(limit=10_000) if r.run_id in set(run_ids)]
                    if len(runs) == len(run_ids) and all(r.status in FINISHED for r in runs):
                        break
                    if time.monotonic() - start > args.timeout:
                        raise SystemExit(f"timed out: {len(runs)} of {len(run_ids)} runs started")
                    time.sleep(0.2)
                wall = max(r.ended_at for r in runs if r.ended_at) - min(r.started_at for r in runs)
                report(
                    workers,
                    runs,
                    store,
                    sandboxes,
                    logs,
                    wall.total_seconds(),
                    args,
                    time.monotonic() - start,
                )
        finally:
            for process in processes:
                process.send_signal(signal.SIGTERM)
            for process in processes:
                try:
                    process.wait(timeout=60)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
            with Connection(BROKER) as connection:
                connection.default_channel.queue_delete(queue)


def report(
    workers: int,
    runs: list[RunRecord],
    store: Store,
    instances: list[InstanceConfig],
    logs: list[Path],
    wall: float,
    args: argparse.Namespace,
    waited: float,
) -> None:
    statuses = Counter(r.status for r in runs)
    per_worker = [log.read_text(errors="replace").count("] succeeded in") for log in logs]
    clashes = overlaps(runs)
    print(f"\n## {workers} worker process(es)")
    print(
        f"runs completed: {len(runs)} ({dict(statuses)}); wall time {wall:.1f} s "
        f"(enqueue to last end {waited:.1f} s); runs per worker {per_worker}"
    )
    print(f"overlapping runs of one instance: {len(clashes)}" + (f" {clashes}" if clashes else ""))
    budget = StoreBudget(store.engine)
    print(
        "| instance | runs | API calls of the runs | used today (the CRM's count, install included) "
        "| budget (share × daily) | within |"
    )
    print("| --- | ---: | ---: | ---: | ---: | --- |")
    worst = 0.0
    for instance in instances:
        mine = [r for r in runs if r.instance == instance.name]
        count, _charged = budget.count(instance.name)
        allowed = int(instance.api_budget_share * (count.limit or args.daily_limit))
        used = count.used or 0
        worst = max(worst, used / allowed if allowed else 0)
        print(
            f"| {instance.name} | {len(mine)} | {sum(r.api_calls for r in mine):,} | {used:,} | "
            f"{allowed:,} | {'yes' if used <= allowed else 'NO'} |"
        )
    print(f"largest share of a budget used: {worst:.1%}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--instances", type=int, default=20)
    parser.add_argument("--size", default="tiny")
    parser.add_argument("--workers", default="1,2,4", help="worker process counts, comma-separated")
    parser.add_argument("--runs-per-instance", type=int, default=2)
    parser.add_argument("--daily-limit", type=int, default=2_000, help="each sandbox's daily API allocation")
    parser.add_argument("--busy-retry", type=int, default=2, help="[workers] busy_retry_seconds")
    parser.add_argument("--timeout", type=float, default=1800)
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/test")
    args = parser.parse_args()
    load = os.getloadavg()
    print(
        f"# many_orgs: {args.instances} {args.size} instances, {args.runs_per_instance} runs each; "
        f"machine: {os.cpu_count()} cores, load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} at start"
    )
    with tempfile.TemporaryDirectory() as state:
        for workers in (int(n) for n in args.workers.split(",")):
            round_with(workers, args, Path(state))
    load = os.getloadavg()
    print(f"\nload average at the end: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")


if __name__ == "__main__":
    main()
