"""Stores to test against: a SQLite file, and PostgreSQL on the machine's server (127.0.0.1:5432, user
postgres, trust auth) when it answers — skipped with the reason when it does not.

Each test run gets its own PostgreSQL database (so parallel runs and other suites never collide) and each
test a fresh schema in it (the store's tables are dropped afterwards).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from store_schema import reset_schema
from sync.store import Store


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'crm-kpi.db'}"
        return
    url: str = request.getfixturevalue("pg_database")
    yield url
    reset_schema(url)


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    opened = Store.open(store_url)
    yield opened
    opened.close()
