"""The demo as a library: both sandbox CRMs with a generated org, installed, synced, proven, edited by
"users" and synced again. `crm-kpi demo` prints what this returns; tests call it on a tiny org.

Everything goes through the product's own paths — settings, install, the pipeline, the store, the report —
so the demo is the product's end-to-end test on an org of a realistic size.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl

from connectors.config import InstanceConfig
from kpi_engine import compute
from sync.connections import open_connector
from sync.demo_edits import EDITORS, Edits
from sync.install import InstallOutcome, install_instance
from sync.observer import RunObserver
from sync.pipeline import RunOptions, RunReport
from sync.readback import Readback, verify_written
from sync.report.from_store import report_from_store
from sync.runner import sync_instance
from sync.settings import Settings
from sync.settings_tables import StoreSettings
from sync.store.store import Store

CRMS = ("salesforce", "hubspot")
INSTANCE_NAMES = {"salesforce": "demo-salesforce", "hubspot": "demo-hubspot"}
DEMO_LOOKBACK_SECONDS = 10
"""The sandboxes commit every write before answering, so the look-back for late commits (300 s against a
real CRM) can be short; with the default, the demo's runs minutes apart would each re-read the first
run's writes."""
LEADERBOARD_KPIS = ("bookings", "deals_won", "win_rate", "quota_attainment", "activities")


@dataclass
class DemoRun:
    as_of: date
    output_dir: Path
    installs: list[InstallOutcome] = field(default_factory=list)
    first: list[RunReport] = field(default_factory=list)
    readbacks: list[Readback] = field(default_factory=list)
    second: list[RunReport] = field(default_factory=list)
    """Nothing changed in the CRMs: the run reads back the first run's own field writes and writes nothing."""
    edits: dict[str, Edits] = field(default_factory=dict)
    third: list[RunReport] = field(default_factory=list)
    """After the users' edits: reads and writes only what they changed."""
    leaderboard: pl.DataFrame | None = None
    org_values: pl.DataFrame | None = None
    """The first instance's org-scope KPIs of the latest complete quarter, computed from the store."""
    report_path: Path | None = None


def _env_name(instance: str, key: str) -> str:
    return f"CRM_KPI_{instance.upper().replace('-', '_')}_{key}"


def instance_settings(crm: str, connection: dict[str, Any]) -> tuple[InstanceConfig, dict[str, str]]:
    """The [[instances]] table for a running sandbox, and the environment its secrets go to."""
    from sandbox.salesforce.standard_objects import FIELD_MAPPING

    name = INSTANCE_NAMES[crm]
    if crm == "salesforce":
        env = {
            _env_name(name, "CLIENT_ID"): connection["client_id"],
            _env_name(name, "CLIENT_SECRET"): connection["client_secret"],
        }
        config = InstanceConfig(
            name=name,
            crm="salesforce",
            url=connection["base_url"],
            auth="client_credentials",
            client_id_env=_env_name(name, "CLIENT_ID"),
            client_secret_env=_env_name(name, "CLIENT_SECRET"),
            ca_file=Path(connection["ca_file"]),
            field_mapping=FIELD_MAPPING,
            lookback_seconds=DEMO_LOOKBACK_SECONDS,
        )
    else:
        env = {_env_name(name, "TOKEN"): connection["token"]}
        config = InstanceConfig(
            name=name,
            crm="hubspot",
            url=connection["base_url"],
            auth="private_app",
            token_env=_env_name(name, "TOKEN"),
            ca_file=Path(connection["ca_file"]),
            lookback_seconds=DEMO_LOOKBACK_SECONDS,
        )
    return config, env


def settings_toml(settings: Settings) -> str:
    """The settings as a file an admin could have written (secrets by environment-variable name only)."""
    lines = [
        "# Written by `crm-kpi demo`: the sandboxes are gone once the demo ends, but status, export",
        "# and report read the store.",
        "",
        "[store]",
        f"url = {json.dumps(settings.store.url)}",
    ]
    # JSON's strings, numbers and booleans are TOML's too.
    for instance in settings.instances:
        lines += ["", "[[instances]]"]
        for key, value in instance.model_dump(exclude_defaults=True, mode="json").items():
            if isinstance(value, dict):
                inner = ", ".join(f"{json.dumps(k)} = {json.dumps(v)}" for k, v in value.items())
                lines.append(f"{key} = {{ {inner} }}")
            else:
                lines.append(f"{key} = {json.dumps(value)}")
    return "\n".join(lines) + "\n"


@contextmanager
def running_sandboxes(size: str, seed: int, as_of: date, state_dir: Path) -> Iterator[dict[str, Any]]:
    """Both sandboxes serving a generated org (the same org, each in its CRM's ids), stopped on exit."""
    from sandbox.generator import generate_org
    from sandbox.runtime import Sandbox

    with ExitStack() as stack:
        running = {}
        for crm in CRMS:
            org = generate_org(size, seed=seed, as_of=as_of, source=crm)
            # Burst limits lifted: a real portal's 190 requests per 10 s would stretch the HubSpot half of the
            # demo org (3,000 pages of activities and their associations) to minutes of waiting.
            limits = "daily=none,burst=none"
            sandbox = Sandbox(crm=crm, org=org, state_dir=state_dir, seed=seed, limits=limits)
            running[crm] = stack.enter_context(sandbox.start())
        yield running


def leaderboard(store: Store, settings: Settings, as_of: date, top: int = 8) -> pl.DataFrame:
    """The reps of each instance by bookings in the latest complete quarter."""
    frames = []
    for instance in settings.instances:
        dataset = store.dataset(instance.name)
        values = compute(
            dataset, settings.kpis, grain="quarter", as_of=as_of, kpis=list(LEADERBOARD_KPIS), scopes=["rep"]
        )
        ended = values.filter(pl.col("period_end") <= as_of)
        if ended.is_empty():
            continue
        latest = ended["period_start"].max()
        wide = (
            ended.filter(pl.col("period_start") == latest)
            .pivot(on="kpi", index="scope_id", values="value")
            .join(
                dataset.users.select(pl.col("id").alias("scope_id"), "name", "team"),
                on="scope_id",
                how="left",
            )
            .sort("bookings", descending=True, nulls_last=True)
            .head(top)
            .with_columns(instance=pl.lit(instance.name), quarter=pl.lit(latest))
        )
        frames.append(wide)
    return pl.concat(frames, how="diagonal_relaxed") if frames else pl.DataFrame()


def latest_quarter(store: Store, settings: Settings, as_of: date) -> pl.DataFrame:
    """Every KPI of the first instance at org scope, for the latest quarter that ended by `as_of`."""
    instance = settings.instances[0]
    values = compute(
        store.dataset(instance.name), settings.kpis, grain="quarter", as_of=as_of, scopes=["org"]
    )
    ended = values.filter((pl.col("grain") == "quarter") & (pl.col("period_end") <= as_of))
    return ended.filter(pl.col("period_start") == ended["period_start"].max()) if ended.height else ended


def run_demo(
    *,
    size: str,
    seed: int,
    as_of: date,
    output_dir: Path,
    observer: RunObserver,
    say: Callable[[str], None],
) -> DemoRun:
    demo = DemoRun(as_of=as_of, output_dir=output_dir)
    store_url = f"sqlite:///{(output_dir / 'crm-kpi.db').resolve()}"
    (output_dir / "crm-kpi.db").unlink(missing_ok=True)
    say(f"generating a {size} org (seed {seed}, as of {as_of}) and serving it from both sandbox CRMs")
    with running_sandboxes(size, seed, as_of, output_dir / "sandbox-state") as sandboxes:
        instances = []
        for crm, sandbox in sandboxes.items():
            config, env = instance_settings(crm, sandbox.connection())
            os.environ.update(env)  # the sandbox's throwaway credentials, never printed or written
            instances.append(config)
        settings = Settings(store=StoreSettings(url=store_url), instances=tuple(instances))
        (output_dir / "settings.toml").write_text(settings_toml(settings), encoding="utf-8")
        with Store.open(store_url) as store:
            for instance in settings.instances:
                demo.installs.append(install_instance(settings, instance, dry_run=False))
            options = RunOptions(as_of=as_of)
            for instance in settings.instances:
                demo.first.append(sync_instance(instance, settings, store, options, observer=observer))
            for instance in settings.instances:
                connector = open_connector(instance)
                try:
                    demo.readbacks.append(verify_written(instance.name, connector, store, settings))
                finally:
                    connector.close()
            demo.leaderboard = leaderboard(store, settings, as_of)
            demo.org_values = latest_quarter(store, settings, as_of)
            report = output_dir / "report.html"
            report.write_text(
                report_from_store(
                    store,
                    settings.instances,
                    settings.kpis,
                    as_of=as_of,
                    title="crm-kpi demo: a generated org in two sandbox CRMs",
                ),
                encoding="utf-8",
            )
            demo.report_path = report
            for instance in settings.instances:
                demo.second.append(sync_instance(instance, settings, store, options, observer=observer))
            say("users edit deals in both CRMs: two won, three amounts raised, one added, one deleted")
            for instance, (crm, sandbox) in zip(settings.instances, sandboxes.items(), strict=True):
                demo.edits[instance.name] = EDITORS[crm](sandbox.connection(), store, instance.name, as_of)
            for instance in settings.instances:
                demo.third.append(sync_instance(instance, settings, store, options, observer=observer))
    return demo
