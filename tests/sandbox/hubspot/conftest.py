"""One HubSpot sandbox per test module (fixtures `sandbox`, `client`), over the tiny hand-built portal."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

# Appended, not prepended: tests/sandbox/conftest.py is imported as `conftest` by the runtime's tests.
sys.path.append(str(Path(__file__).parent))

from hs_client import client_for  # noqa: E402
from tiny_portal import tiny_portal  # noqa: E402

from sandbox.runtime import Sandbox  # noqa: E402


@pytest.fixture(scope="module")
def hub_state(tmp_path_factory):
    return tmp_path_factory.mktemp("hubspot-state")


@pytest.fixture(scope="module")
def sandbox(hub_state):
    running = Sandbox(crm="hubspot", org=tiny_portal(), state_dir=hub_state, instance="tiny").start()
    yield running
    running.stop()


@pytest.fixture(scope="module")
def client(sandbox):
    return client_for(sandbox)
