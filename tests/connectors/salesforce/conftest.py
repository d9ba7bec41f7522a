"""Salesforce sandboxes in a thread and connectors pointed at them, as an admin would configure one."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sf_reading import instance_for, no_sleep

from connectors.salesforce import SalesforceConnector, connect
from connectors.salesforce.client import SalesforceClient
from sandbox.runtime import RunningSandbox


@pytest.fixture
def connector_for() -> Iterator[Callable[..., SalesforceConnector]]:
    made: list[SalesforceConnector] = []

    def make(sb: RunningSandbox, max_query_chars: int | None = None, **settings: Any) -> SalesforceConnector:
        instance = instance_for(sb, **settings)
        options: dict[str, Any] = {"max_query_chars": max_query_chars} if max_query_chars else {}
        made.append(connect(instance, client=SalesforceClient(instance, sleep=no_sleep), **options))
        return made[-1]

    yield make
    for connector in made:
        connector.close()
