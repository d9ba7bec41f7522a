"""Alembic migrations: they build exactly the tables of `sync.store.tables`, and opening a store again
(an upgrade to head) keeps what it holds."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from records_factory import batch, user

from sync.store import Store
from sync.store.migrate import current_revision, head_revision
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
