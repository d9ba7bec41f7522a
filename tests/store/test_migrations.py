"""Alembic migrations: they build exactly the tables of `sync.store.tables`, and opening a store again
(an upgrade to head) keeps what it holds."""

from __future__ import annotations

import shutil
from pathlib import Path

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from records_factory import batch, opportunity, user

from sync.store import Store
from sync.store.connection import create_store_engine
from sync.store.migrate import MIGRATIONS, current_revision, head_revision, upgrade
from sync.store.tables import metadata


def test_the_migrations_build_the_tables_the_code_declares(store: Store) -> None:
    """Fails when a schema model gains a field without a migration: write one (see sync.store.migrate)."""
    with store.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, metadata)
    assert differences == []


def test_a_new_store_is_at_head_and_reopening_keeps_its_records(store_url: str) -> None:
    with Store.open(store_url) as store:
        store.save_batch("acme", batch("users", [user("005A")], cursor={"after": "7"}))
        assert current_revision(store.engine) == head_revision()
    with Store.open(store_url) as reopened:
        assert reopened.table("acme", "users")["id"].to_list() == ["005A"]
        assert reopened.cursor("acme", "users") == {"after": "7"}
        assert current_revision(reopened.engine) == head_revision()


NEXT_REVISION = '''"""A later version's revision: opportunities gain a column."""

import sqlalchemy as sa
from alembic import op

revision = "9001"
down_revision = "{head}"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("opportunities") as batch:
        batch.add_column(sa.Column("next_step", sa.String(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("opportunities") as batch:
        batch.drop_column("next_step")
'''


def test_an_upgrade_keeps_the_records_of_a_store_made_by_an_older_version(
    store_url: str, tmp_path: Path
) -> None:
    with Store.open(store_url) as store:  # made at this version's head
        store.save_batch(
            "acme", batch("opportunities", [opportunity("006A", amount=750.0)], cursor={"after": "3"})
        )
        store.save_batch("acme", batch("users", [user("005A")]))
    later = tmp_path / "migrations"
    shutil.copytree(MIGRATIONS, later, ignore=shutil.ignore_patterns("__pycache__"))
    (later / "versions" / "9001_next_step.py").write_text(NEXT_REVISION.replace("{head}", head_revision()))

    engine = create_store_engine(store_url)
    try:
        upgrade(engine, migrations=later)
        assert current_revision(engine) == "9001" == head_revision(later)
        with engine.connect() as connection:
            rows = connection.execute(sa.text("SELECT id, amount, next_step FROM opportunities")).all()
            assert [tuple(row) for row in rows] == [("006A", 750.0, None)]
            assert connection.execute(sa.text("SELECT count(*) FROM users")).scalar() == 1
    finally:
        engine.dispose()


def test_a_store_made_before_stages_had_a_forecast_category_is_upgraded_and_keeps_its_stages(
    store_url: str,
) -> None:
    """Revision 0002: a store at 0001 (the previous release) gains stages.forecast_category, its rows kept."""
    engine = create_store_engine(store_url)
    try:
        upgrade(engine, to="0001")  # the store as the previous release left it
        with engine.begin() as connection:
            connection.execute(
                sa.text(
                    'INSERT INTO stages (instance, id, source, deleted, stage, "order", is_closed, is_won) '
                    "VALUES ('acme', '01J1', 'salesforce', false, 'Proposal', 4, false, false)"
                )
            )
        with Store.open(store_url) as store:  # upgrades to head
            stages = store.table("acme", "stages")
        assert stages.select("id", "stage", "forecast_category").rows() == [("01J1", "Proposal", None)]
        assert current_revision(engine) == head_revision()
    finally:
        engine.dispose()
