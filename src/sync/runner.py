"""`sync` as a library call: run every selected instance of the settings, one after the other.

Each instance gets its own connector (so its API counts are its own) and its own report; one instance
failing — bad credentials, its lock held by another run, the CRM down — never stops the others.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence

from connectors.base import Connector
from connectors.config import InstanceConfig
from connectors.errors import ConnectorError
from sync.connections import open_connector
from sync.observer import RunObserver, SilentObserver
from sync.pipeline import RunOptions, RunReport, run_instance
from sync.settings import Settings
from sync.store.locks import InstanceLocked
from sync.store.store import Store


def sync_instance(
    instance: InstanceConfig,
    settings: Settings,
    store: Store,
    options: RunOptions = RunOptions(),
    *,
    observer: RunObserver | None = None,
    stop: threading.Event | None = None,
    connector: Connector | None = None,
    run_id: str | None = None,
) -> RunReport:
    """One run of one instance; failures before the run starts become a `failed` report, not an exception."""
    observer = observer or SilentObserver()
    owned = connector is None
    try:
        if connector is None:
            observer.phase(instance.name, "connect")
            connector = open_connector(instance)
    except ConnectorError as error:
        report = RunReport(instance.name, status="failed", message=str(error))
        observer.finished(instance.name, report)
        return report
    try:
        return run_instance(
            instance, settings, store, connector, options, observer=observer, stop=stop, run_id=run_id
        )
    except InstanceLocked as busy:
        report = RunReport(instance.name, status="failed", message=str(busy))
        observer.finished(instance.name, report)
        return report
    finally:
        if owned:
            connector.close()


def sync_instances(
    settings: Settings,
    instances: Sequence[InstanceConfig],
    options: RunOptions = RunOptions(),
    *,
    observer: RunObserver | None = None,
    stop: threading.Event | None = None,
) -> list[RunReport]:
    reports = []
    with Store.open(settings.store.url) as store:
        for instance in instances:
            if stop is not None and stop.is_set():
                break
            reports.append(sync_instance(instance, settings, store, options, observer=observer, stop=stop))
    return reports
