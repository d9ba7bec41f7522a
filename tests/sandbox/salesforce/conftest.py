"""One Salesforce sandbox per test module (tiny org), and simple-salesforce sessions trusting its CA."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sf_clients import client
from simple_salesforce import Salesforce

from sandbox.runtime import RunningSandbox, Sandbox
from sandbox.salesforce.org import render_org


@pytest.fixture(scope="module")
def sf_state(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("sf-state")


@pytest.fixture(scope="module")
def sandbox(sf_state: Path) -> Iterator[RunningSandbox]:
    """An org with only the integration user and the default stages: tests add what they need."""
    with Sandbox(crm="salesforce", org=render_org(None), state_dir=sf_state) as running:
        yield running


@pytest.fixture(scope="module")
def sf(sandbox: RunningSandbox) -> Salesforce:
    return client(sandbox)
