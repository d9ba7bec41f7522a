"""Stores to test against: a SQLite file, and PostgreSQL on the machine's server (127.0.0.1:5432, user
postgres, trust auth) when it answers — skipped with the reason when it does not.

Each test run gets its own PostgreSQL database (so parallel runs and other suites never collide) and each
test a fresh schema in it (the store's tables are dropped afterwards).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
import sqlalchemy as sa

from sync.store import Store

PG_SERVER = os.environ.get("CRM_KPI_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")


@pytest.fixture(scope="session")
def pg_database() -> Iterator[str]:
    """A database of its own for this test run; dropped at the end."""
    try:
        admin = psycopg.connect(PG_SERVER, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as exc:
        pytest.skip(f"PostgreSQL is not reachable at {PG_SERVER}: {str(exc).strip().splitlines()[0]}")
    name = f"crmkpi_store_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    admin.execute(f'CREATE DATABASE "{name}"')
    url = sa.make_url(PG_SERVER).set(drivername="postgresql+psycopg", database=name)
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'crm-kpi.db'}"
        return
    url: str = request.getfixturevalue("pg_database")
    yield url
    reset_schema(url)


def reset_schema(url: str) -> None:
    """Drop everything a test's store made in the run's PostgreSQL database."""
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.exec_driver_sql("DROP SCHEMA public CASCADE")
        connection.exec_driver_sql("CREATE SCHEMA public")
    engine.dispose()


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    opened = Store.open(store_url)
    yield opened
    opened.close()
