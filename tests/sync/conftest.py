"""Fixtures of the sync tests: sandbox CRMs in threads, a store per test."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.append(str(Path(__file__).parent))

from sync_sandboxes import SandboxFactory  # noqa: E402


@pytest.fixture(scope="session")
def sandboxes(tmp_path_factory: pytest.TempPathFactory) -> SandboxFactory:
    return SandboxFactory(tmp_path_factory.mktemp("sync-sandbox-state"))


@pytest.fixture
def store_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'crm-kpi.db'}"


@pytest.fixture
def pg_url(pg_database: str) -> str:
    """The run's PostgreSQL database (tests/conftest.py), emptied before each test that uses it."""
    from store_schema import reset_schema

    reset_schema(pg_database)
    return pg_database
