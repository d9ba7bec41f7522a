"""Fixtures every test package may use: PostgreSQL on the machine's server (127.0.0.1:5432, user postgres,
trust auth) when it answers, skipped with the reason when it does not. Each test run gets a database of its
own, so parallel runs and other suites never collide."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import psycopg
import pytest
import sqlalchemy as sa

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
