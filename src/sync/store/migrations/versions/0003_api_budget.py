"""The shared rate budget: one row per instance that every worker charges (sync.store.budget).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 15:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import sync.store.column_types

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "api_budget",
        sa.Column("instance", sa.String(), nullable=False),
        sa.Column("used", sa.Integer(), nullable=True),
        sa.Column("daily_limit", sa.Integer(), nullable=True),
        sa.Column("charged", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sync.store.column_types.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("instance", name=op.f("pk_api_budget")),
    )


def downgrade() -> None:
    op.drop_table("api_budget")
