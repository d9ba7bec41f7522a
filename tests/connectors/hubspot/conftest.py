"""HubSpot sandboxes with a generated org, and connectors pointed at them as a user would configure them.

`connector_for(sb)` builds an InstanceConfig whose token lives in an environment variable (as in
settings.toml) and connects with hubspot-api-client's client_side_validation on, so a sandbox answer that
lacks a field the real API always sends fails the test.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

sys.path.append(str(Path(__file__).parent))

from sandbox.generator import generate_org
from sandbox.runtime import RunningSandbox, Sandbox

AS_OF = dt.date(2026, 6, 30)


@pytest.fixture(scope="session")
def hs_state(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("hubspot-connector-state")


@pytest.fixture(scope="session")
def tiny_org() -> Any:
    return generate_org("tiny", 7, AS_OF, "hubspot")


@pytest.fixture
def start_hubspot(hs_state: Path) -> Iterator[Any]:
    """Start a HubSpot sandbox (`org`, `faults`, `limits`, ...); stopped after the test."""
    started: list[RunningSandbox] = []

    def start(org: Any = None, **options: Any) -> RunningSandbox:
        running = Sandbox(crm="hubspot", org=org, state_dir=hs_state, **options).start()
        started.append(running)
        return running

    yield start
    for running in started:
        running.stop()
