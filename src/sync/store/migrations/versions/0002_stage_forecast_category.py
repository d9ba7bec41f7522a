"""Stage definitions carry a forecast category (PipelineStage.forecast_category, issue 11).

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01 15:32:22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A plain ADD COLUMN on both databases: existing stages keep their rows, the new column is null until
    # the next sync reads the stage definitions again (they are read whole every run).
    op.add_column("stages", sa.Column("forecast_category", sa.String(), nullable=True))


def downgrade() -> None:
    op.drop_column("stages", "forecast_category")
