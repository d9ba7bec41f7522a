"""The HubSpot connector: `connect(instance)` → a `HubSpotConnector` (the `connectors.base.Connector`
protocol) over hubspot-api-client.

    connector = connect(instance)                  # InstanceConfig with crm = "hubspot"
    for stream in connector.streams():
        for batch in connector.extract(stream, saved_cursor.get(stream.name)):
            store(batch.table, batch.records, batch.quarantined)
            if batch.cursor is not None:
                saved_cursor[stream.name] = batch.cursor   # in the same transaction

Modules: auth (tokens), client (retry, budget, pacing), classify (errors), streams (what is read), paging,
extract, associations, mapping / mapping_activities / values / context (normalisation), writer, install.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from connectors.budget import ApiBudget
from connectors.config import InstanceConfig
from connectors.errors import ConfigurationError
from connectors.hubspot.auth import token_source
from connectors.hubspot.client import SEARCHES_PER_SECOND, HubSpotClient
from connectors.hubspot.connector import HubSpotConnector

__all__ = ["HubSpotConnector", "connect"]


def connect(
    instance: InstanceConfig,
    *,
    budget: ApiBudget | None = None,
    client_side_validation: bool = False,
    searches_per_second: float = SEARCHES_PER_SECOND,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> HubSpotConnector:
    """A connector for one portal. Reads the secrets from the environment now (ConfigurationError when
    one is missing) and, for OAuth, obtains the first access token (AuthError when refused). `sleep` and
    `clock` are the waits' (tests pass their own)."""
    if instance.crm != "hubspot":
        raise ConfigurationError(f"instance {instance.name!r} is a {instance.crm} instance, not hubspot")
    instance.verify()
    client = HubSpotClient(
        instance,
        token_source(instance),
        budget or ApiBudget(instance.name, instance.api_budget_share),
        client_side_validation=client_side_validation,
        searches_per_second=searches_per_second,
        sleep=sleep,
        clock=clock,
    )
    return HubSpotConnector(client)
