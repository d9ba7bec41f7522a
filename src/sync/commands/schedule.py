"""`crm-kpi schedule`: the background scheduler — runs `sync` of each instance on its cron."""

from __future__ import annotations

from typing import Annotated

import typer

from sync.cli_output import note
from sync.cli_settings import ConfigOption, InstanceOption, chosen_instances, settings_from

EXAMPLES = """\
Examples:

    crm-kpi schedule --config settings.toml

    CRM_KPI_CONFIG=settings.toml crm-kpi schedule --instance acme-sf
"""


def schedule_command(
    config: ConfigOption = None,
    instance: InstanceOption = None,
    run_now: Annotated[
        bool, typer.Option("--run-now", help="Also run every instance once at start.")
    ] = False,
) -> None:
    """Run each instance's sync on the [schedule] cron until stopped (SIGTERM or Ctrl-C).

    Missed runs are coalesced into one; a run still going when its next firing comes is not started twice; the
    store's lock keeps a second scheduler, or a manual `sync`, from running one instance at once. SIGTERM lets
    the run in progress reach its next checkpoint, save, and stop.
    """
    from sync.pipeline import RunOptions
    from sync.run_progress import JsonLogObserver
    from sync.runner import sync_instance
    from sync.scheduler import ScheduledInstance, StopOnSignal, build_scheduler
    from sync.store.store import Store

    settings = settings_from(config)
    chosen = {i.name: i for i in chosen_instances(settings, instance)}
    stopper = StopOnSignal()
    observer = JsonLogObserver()

    with Store.open(settings.store.url) as store:

        def run(name: str) -> None:
            if not stopper.stop.is_set():
                sync_instance(
                    chosen[name], settings, store, RunOptions(), observer=observer, stop=stopper.stop
                )

        scheduler = build_scheduler(
            [ScheduledInstance(name, settings.schedule.cron_for(name)) for name in chosen],
            run,
            misfire_grace_seconds=settings.schedule.misfire_grace_minutes * 60,
        )
        # A stop before the scheduler started (during --run-now) only has to keep it from starting.
        stopper.on_stop(lambda: scheduler.shutdown(wait=False) if scheduler.running else None)
        stopper.install()
        for name in chosen:
            note(f"{name}: sync on '{settings.schedule.cron_for(name)}' (UTC)")
            if run_now:
                run(name)
        if not stopper.stop.is_set():
            scheduler.start()
    note("scheduler stopped")
