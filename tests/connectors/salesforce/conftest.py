"""Salesforce sandboxes in a thread and connectors pointed at them, as an admin would configure one."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from connectors.config import InstanceConfig
from connectors.salesforce import SalesforceConnector, connect
from connectors.salesforce.client import SalesforceClient
from sandbox.runtime import RunningSandbox

SANDBOX_MAPPING = {"user.started_at": "Start_Date__c", "user.ended_at": "End_Date__c",
                   "account.region": "Region__c", "opportunity.contract_months": "Contract_Months__c"}
"""The sandbox keeps these values in custom fields (docs/sandbox-salesforce.md), as many real orgs do."""


def instance_for(sb: RunningSandbox, **settings: Any) -> InstanceConfig:
    """Client-credentials settings for `sb`; the secrets go to environment variables named here."""
    prefix = f"SF_TEST_{sb.runtime.base_url.rsplit(':', 1)[-1]}"
    os.environ[f"{prefix}_ID"] = str(sb.client_id)
    os.environ[f"{prefix}_SECRET"] = str(sb.client_secret)
    values: dict[str, Any] = {"name": "acme-sf", "crm": "salesforce", "url": sb.base_url,
                              "auth": "client_credentials", "client_id_env": f"{prefix}_ID",
                              "client_secret_env": f"{prefix}_SECRET", "ca_file": Path(sb.ca_file),
                              "field_mapping": SANDBOX_MAPPING} | settings
    return InstanceConfig(**values)


def no_sleep(seconds: float) -> None:
    """Back-off without waiting: the sandbox answers at once, and tests assert counts, not time."""


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
