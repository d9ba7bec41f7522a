"""Shared fixtures for the sandbox runtime tests: a dummy CRM app served by the real runtime."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

import dummy_crm  # noqa: E402

from sandbox.runtime import RunningSandbox, Sandbox  # noqa: E402


@pytest.fixture(scope="session")
def state_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One CA for the whole session, as a developer's state dir would be reused."""
    return tmp_path_factory.mktemp("sandbox-state")


@pytest.fixture
def start_dummy(state_dir: Path) -> Iterator:
    started: list[RunningSandbox] = []

    def start(**options: object) -> RunningSandbox:
        running = Sandbox(crm=dummy_crm, state_dir=state_dir, **options).start()  # type: ignore[arg-type]
        started.append(running)
        return running

    yield start
    for running in started:
        running.stop()
