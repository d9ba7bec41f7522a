"""Connect the HubSpot connector to a running sandbox, and drain its streams as the sync would."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest

from connectors.base import Batch, Cursor, Quarantined
from connectors.config import InstanceConfig
from connectors.hubspot import HubSpotConnector, connect
from sandbox.runtime import RunningSandbox


def connector_for(
    sb: RunningSandbox,
    monkeypatch: pytest.MonkeyPatch,
    *,
    oauth: bool = False,
    sleep: Callable[[float], None] = lambda seconds: None,
    **settings: Any,
) -> HubSpotConnector:
    """A connector configured like settings.toml: secrets in environment variables named by the settings."""
    if oauth:
        monkeypatch.setenv("HS_CLIENT_ID", sb.client_id or "")
        monkeypatch.setenv("HS_CLIENT_SECRET", sb.client_secret or "")
        monkeypatch.setenv("HS_REFRESH_TOKEN", sb.refresh_token)
        auth: dict[str, Any] = {
            "auth": "oauth_refresh",
            "client_id_env": "HS_CLIENT_ID",
            "client_secret_env": "HS_CLIENT_SECRET",
            "refresh_token_env": "HS_REFRESH_TOKEN",
        }
    else:
        monkeypatch.setenv("HS_TOKEN", sb.token)
        auth = {"auth": "private_app", "token_env": "HS_TOKEN"}
    instance = InstanceConfig(
        name="acme-hs", crm="hubspot", url=sb.base_url, ca_file=sb.ca_file, **auth, **settings
    )
    return connect(instance, client_side_validation=True, searches_per_second=0, sleep=sleep)


@dataclass
class Extracted:
    """What a run stored: records by table and id (later batches win, as an upsert), cursors, quarantine."""

    tables: dict[str, dict[str, Any]] = field(default_factory=lambda: defaultdict(dict))
    cursors: dict[str, Cursor] = field(default_factory=dict)
    quarantined: list[Quarantined] = field(default_factory=list)
    batches: list[Batch] = field(default_factory=list)

    def store(self, batch: Batch) -> None:
        self.batches.append(batch)
        for record in batch.records:
            key = record["id"] if isinstance(record, dict) else record.id
            self.tables[batch.table][key] = record
        self.quarantined.extend(batch.quarantined)
        if batch.cursor is not None:
            self.cursors[batch.stream] = batch.cursor

    def live(self, table: str) -> dict[str, Any]:
        return {k: r for k, r in self.tables[table].items() if not _deleted(r)}


def _deleted(record: Any) -> bool:
    return bool(record["deleted"] if isinstance(record, dict) else record.deleted)


def run(
    connector: HubSpotConnector,
    previous: Extracted | None = None,
    *,
    full: bool = False,
    streams: tuple[str, ...] | None = None,
) -> Extracted:
    """Extract every stream from the previous run's cursors (a fresh store when None)."""
    out = Extracted()
    if previous is not None:
        out.cursors = dict(previous.cursors)
    for stream in connector.streams():
        if streams is not None and stream.name not in streams:
            continue
        for batch in connector.extract(stream, out.cursors.get(stream.name), full=full):
            out.store(batch)
    return out
