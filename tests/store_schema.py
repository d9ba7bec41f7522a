"""Emptying a test's PostgreSQL store between tests (the database itself is the run's: tests/conftest.py)."""

from __future__ import annotations

import sqlalchemy as sa


def reset_schema(url: str) -> None:
    """Drop everything a test's store made in the run's PostgreSQL database."""
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.exec_driver_sql("DROP SCHEMA public CASCADE")
        connection.exec_driver_sql("CREATE SCHEMA public")
    engine.dispose()
