"""Alembic environment: run with the connection `sync.store.migrate` hands over (never a URL of its own)."""

from __future__ import annotations

from alembic import context

from sync.store.tables import metadata

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True, compare_type=True)
with context.begin_transaction():
    context.run_migrations()
