"""Schema migrations (Alembic): `upgrade` brings any store, new or made by an older version, to head.

The scripts live in `sync/store/migrations/versions`; a new column in a schema model needs a new revision
(`python -m sync.store.migrate revision -m "..."` autogenerates it from `tables.py`), and
tests/store/test_migrations.py fails until there is one.
"""

from __future__ import annotations

import sys
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine

MIGRATIONS = Path(__file__).parent / "migrations"


def _config(migrations: Path = MIGRATIONS) -> Config:
    config = Config()
    config.set_main_option("script_location", str(migrations))
    return config


def upgrade(engine: Engine, *, migrations: Path = MIGRATIONS, to: str = "head") -> None:
    """Migrate the store to the latest revision (a no-op when it is there), in one transaction."""
    config = _config(migrations)
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            # Workers started together on a new database would each create the tables: the first to take
            # this lock migrates, the others wait for its commit and find the store at head.
            connection.execute(
                sa.select(
                    sa.func.pg_advisory_xact_lock(
                        sa.func.hashtextextended(sa.func.current_schema() + "|crm-kpi|migrations", 0)
                    )
                )
            )
        config.attributes["connection"] = connection
        command.upgrade(config, to)


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision(migrations: Path = MIGRATIONS) -> str:
    head = ScriptDirectory.from_config(_config(migrations)).get_current_head()
    assert head is not None
    return head


def _autogenerate(url: str, message: str) -> None:
    """Write a new revision with the difference between the store at `url` (at head) and `tables.py`."""
    from sync.store.connection import create_store_engine

    engine = create_store_engine(url)
    upgrade(engine)
    config = _config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.revision(config, message=message, autogenerate=True)


if __name__ == "__main__":  # python -m sync.store.migrate revision -m "message" [--url URL]
    args = sys.argv[1:]
    if len(args) < 3 or args[0] != "revision" or args[1] != "-m":
        sys.exit('usage: python -m sync.store.migrate revision -m "message" [--url sqlite:///scratch.db]')
    url = args[4] if len(args) > 4 and args[3] == "--url" else "sqlite:///migration-scratch.db"
    _autogenerate(url, args[2])
