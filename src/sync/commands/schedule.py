"""`crm-kpi schedule`: the background scheduler — runs `sync` of each instance on its cron, or, with
`--enqueue`, sends each run to the workers' queue."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated

import typer

from sync.cli_errors import CliError, ExitCode
from sync.cli_output import note, warn
from sync.cli_settings import ConfigOption, InstanceOption, chosen_instances, settings_from

if TYPE_CHECKING:
    from sync.scheduler import StopOnSignal
    from sync.settings import Settings

EXAMPLES = """\
Examples:

    crm-kpi schedule --config settings.toml

    CRM_KPI_CONFIG=settings.toml crm-kpi schedule --instance acme-sf

    crm-kpi schedule --config settings.toml --enqueue
"""


def schedule_command(
    config: ConfigOption = None,
    instance: InstanceOption = None,
    run_now: Annotated[
        bool, typer.Option("--run-now", help="Also run (or enqueue) every instance once at start.")
    ] = False,
    enqueue: Annotated[
        bool,
        typer.Option(
            "--enqueue",
            help="Send each due run to the [workers] queue (`crm-kpi worker`) instead of running it here.",
        ),
    ] = False,
) -> None:
    """Run each instance's sync on the [schedule] cron until stopped (SIGTERM or Ctrl-C).

    Missed runs are coalesced into one; a run still going when its next firing comes is not started twice; the
    store's lock keeps a second scheduler, or a manual `sync`, from running one instance at once. SIGTERM lets
    the run in progress reach its next checkpoint, save, and stop.

    With `--enqueue` the scheduler only sends (instance, run id) jobs to the workers' queue: the store must be
    PostgreSQL, and a second `schedule --enqueue` on the same queue refuses to start while this one runs.
    """
    from sync.scheduler import StopOnSignal
    from sync.store.store import Store

    settings = settings_from(config)
    names = [i.name for i in chosen_instances(settings, instance)]
    stopper = StopOnSignal()
    if not enqueue:
        from sync.pipeline import RunOptions
        from sync.run_progress import JsonLogObserver
        from sync.runner import sync_instance

        observer = JsonLogObserver()
        with Store.open(settings.store.url) as store:

            def run(name: str) -> None:
                sync_instance(
                    settings.instance(name),
                    settings,
                    store,
                    RunOptions(),
                    observer=observer,
                    stop=stopper.stop,
                )

            _schedule(settings, names, run, stopper, run_now, "sync")
        note("scheduler stopped")
        return
    _schedule_enqueue(settings, names, stopper, run_now)


def _schedule_enqueue(settings: Settings, names: list[str], stopper: StopOnSignal, run_now: bool) -> None:
    from sync.cli_workers import broker_app, require_shared_store
    from sync.store.store import Store
    from sync.workers.scheduled import Enqueuer, SchedulerBusy, hold_scheduler_lock

    require_shared_store(settings, "crm-kpi schedule --enqueue")
    app = broker_app(settings, "scheduler")
    with Store.open(settings.store.url) as store:
        try:
            with hold_scheduler_lock(store, settings.workers.queue) as held:
                enqueuer = Enqueuer(app, store, held)

                def run(name: str) -> None:
                    job = enqueuer(name)
                    if job is not None:
                        note(f"{name}: queued run {job.run_id} on {settings.workers.queue!r}")
                    elif enqueuer.lost:
                        stopper.request_stop()

                _schedule(settings, names, run, stopper, run_now, "enqueue a sync")
        except SchedulerBusy as busy:
            raise CliError(str(busy), ExitCode.FAILED) from None
    if enqueuer.lost:
        warn(enqueuer.lost)
        raise CliError(enqueuer.lost, ExitCode.FAILED)
    note("scheduler stopped")


def _schedule(
    settings: Settings,
    names: list[str],
    run: Callable[[str], None],
    stopper: StopOnSignal,
    run_now: bool,
    verb: str,
) -> None:
    from sync.scheduler import ScheduledInstance, build_scheduler

    scheduler = build_scheduler(
        [ScheduledInstance(name, settings.schedule.cron_for(name)) for name in names],
        lambda name: None if stopper.stop.is_set() else run(name),
        misfire_grace_seconds=settings.schedule.misfire_grace_minutes * 60,
    )
    # A stop before the scheduler started (during --run-now) only has to keep it from starting.
    stopper.on_stop(lambda: scheduler.shutdown(wait=False) if scheduler.running else None)
    stopper.install()
    for name in names:
        note(f"{name}: {verb} on '{settings.schedule.cron_for(name)}' (UTC)")
        if run_now and not stopper.stop.is_set():
            run(name)
    if not stopper.stop.is_set():
        scheduler.start()
