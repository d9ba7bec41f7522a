"""The initial store: record tables, cursors, quarantine, write ledger, runs, locks.

Revision ID: 0001
Revises:
Create Date: 2026-12-01 14:42:13.634677
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import sync.store.column_types

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "accounts",
        sa.Column("instance", sa.String(), nullable=False),
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("source", sa.String(), nullable=True),
        sa.Column("deleted", sa.Boolean(), nullable=True),
        sa.Column("modified_at", sync.store.column_types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("name", sa.String(), nullable=True),
        sa.Column("owner_id", sa.String(), nullable=True),
        sa.Column("created_at", sync.store.column_types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("industry", sa.String(), nullable=True),
        sa.Column("region", sa.String(), nullable=True),
        sa.Column("sync_stream", sa.String(), nullable=True),
        sa.Column("sync_run", sa.String(), nullable=True),
        sa.PrimaryKeyConstraint("instance", "id", name=op.f("pk_accounts")),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "activities",
        sa.Column("instance", sa.String(), nullable=False),
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("source", sa.String(), nullable=True),
        sa.Column("deleted", sa.Boolean(), nullable=True),
        sa.Column("modified_at", sync.store.column_types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("kind", sa.String(), nullable=True),
        sa.Column("subtype", sa.String(), nullable=True),
        sa.Column("owner_id", sa.String(), nullable=True),
        sa.Column("occurred_at", sync.store.column_types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("duration_seconds", sa.Float(), nullable=True),
        sa.Column("completed", sa.Boolean(), nullable=True),
        sa.Column("outcome", sa.String(), nullable=True),
        sa.Column("direction", sa.String(), nullable=True),
        sa.Column("opened", sa.Boolean(), nullable=True),
        sa.Column("opportunity_id", sa.String(), nullable=True),
        sa.Column("account_id", sa.String(), nullable=True),
        sa.Column("lead_id", sa.String(), nullable=True),
        sa.Column("sync_stream", sa.String(), nullable=True),
        sa.Column("sync_run", sa.String(), nullable=True),
        sa.PrimaryKeyConstraint("instance", "id", name=op.f("pk_activities")),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "cursors",
        sa.Column("instance", sa.String(), nullable=False),
        sa.Column("stream", sa.String(), nullable=False),
        sa.Column("cursor", sa.JSON(), nullable=True),
        sa.Column("run", sa.String(), nullable=True),
        sa.Column("updated_at", sync.store.column_types.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("instance", "stream", name=op.f("pk_cursors")),
    )
    op.create_table(
        "fx_rates",
        sa.Column("instance", sa.String(), nullable=False),
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("currency", sa.String(), nullable=True),
        sa.Column("rate", sa.Float(), nullable=True),
        sa.Column("start_date", sa.Date(), nullable=True),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("deleted", sa.Boolean(), nullable=True),
        sa.Column("modified_at", sync.store.column_types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("sync_stream", sa.String(), nullable=True),
        sa.Column("sync_run", sa.String(), nullable=True),
        sa.PrimaryKeyConstraint("instance", "id", name=op.f("pk_fx_rates")),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "leads",
        sa.Column("instance", sa.String(), nullable=False),
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("source", sa.String(), nullable=True),
        sa.Column("deleted", sa.Boolean(), nullable=True),
        sa.Column("modified_at", sync.store.column_types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("owner_id", sa.String(), nullable=True),
        sa.Column("created_at", sync.store.column_types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("lead_source", sa.String(), nullable=True),
        sa.Column("status", sa.String(), nullable=True),
        sa.Column("converted_at", sync.store.column_types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("converted_account_id", sa.String(), nullable=True),
        sa.Column("converted_opportunity_id", sa.String(), nullable=True),
        sa.Column("sync_stream", sa.String(), nullable=True),
        sa.Column("sync_run", sa.String(), nullable=True),
        sa.PrimaryKeyConstraint("instance", "id", name=op.f("pk_leads")),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "line_items",
        sa.Column("instance", sa.String(), nullable=False),
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("source", sa.String(), nullable=True),
        sa.Column("deleted", sa.Boolean(), nullable=True),
        sa.Column("modified_at", sync.store.column_types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("opportunity_id", sa.String(), nullable=True),
        sa.Column("product_id", sa.String(), nullable=True),
        sa.Column("product_name", sa.String(), nullable=True),
        sa.Column("product_family", sa.String(), nullable=True),
        sa.Column("quantity", sa.Float(), nullable=True),
        sa.Column("unit_price", sa.Float(), nullable=True),
        sa.Column("total_price", sa.Float(), nullable=True),
        sa.Column("sync_stream", sa.String(), nullable=True),
        sa.Column("sync_run", sa.String(), nullable=True),
        sa.PrimaryKeyConstraint("instance", "id", name=op.f("pk_line_items")),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "locks",
        sa.Column("instance", sa.String(), nullable=False),
        sa.Column("owner", sa.String(), nullable=False),
        sa.Column("acquired_at", sync.store.column_types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sync.store.column_types.UtcDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("instance", name=op.f("pk_locks")),
    )
    op.create_table(
        "opportunities",
        sa.Column("instance", sa.String(), nullable=False),
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("source", sa.String(), nullable=True),
        sa.Column("deleted", sa.Boolean(), nullable=True),
        sa.Column("modified_at", sync.store.column_types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("name", sa.String(), nullable=True),
        sa.Column("account_id", sa.String(), nullable=True),
        sa.Column("owner_id", sa.String(), nullable=True),
        sa.Column("pipeline", sa.String(), nullable=True),
        sa.Column("stage", sa.String(), nullable=True),
        sa.Column("probability", sa.Float(), nullable=True),
        sa.Column("forecast_category", sa.String(), nullable=True),
        sa.Column("type", sa.String(), nullable=True),
        sa.Column("lead_source", sa.String(), nullable=True),
        sa.Column("amount", sa.Float(), nullable=True),
        sa.Column("amount_original", sa.Float(), nullable=True),
        sa.Column("currency", sa.String(), nullable=True),
        sa.Column("created_at", sync.store.column_types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("close_date", sa.Date(), nullable=True),
        sa.Column("is_closed", sa.Boolean(), nullable=True),
        sa.Column("is_won", sa.Boolean(), nullable=True),
        sa.Column("contract_months", sa.BigInteger(), nullable=True),
        sa.Column("sync_stream", sa.String(), nullable=True),
        sa.Column("sync_run", sa.String(), nullable=True),
        sa.PrimaryKeyConstraint("instance", "id", name=op.f("pk_opportunities")),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "quarantine",
        sa.Column("seq", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("instance", sa.String(), nullable=False),
        sa.Column("run", sa.String(), nullable=True),
        sa.Column("table_name", sa.String(), nullable=False),
        sa.Column("crm_object", sa.String(), nullable=False),
        sa.Column("crm_id", sa.String(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("raw", sa.JSON(), nullable=False),
        sa.Column("quarantined_at", sync.store.column_types.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_quarantine")),
    )
    with op.batch_alter_table("quarantine", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_quarantine_instance_run"), ["instance", "run"], unique=False)

    op.create_table(
        "quotas",
        sa.Column("instance", sa.String(), nullable=False),
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("owner", sa.String(), nullable=True),
        sa.Column("period_start", sa.Date(), nullable=True),
        sa.Column("period_end", sa.Date(), nullable=True),
        sa.Column("amount", sa.Float(), nullable=True),
        sa.Column("deleted", sa.Boolean(), nullable=True),
        sa.Column("modified_at", sync.store.column_types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("sync_stream", sa.String(), nullable=True),
        sa.Column("sync_run", sa.String(), nullable=True),
        sa.PrimaryKeyConstraint("instance", "id", name=op.f("pk_quotas")),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "runs",
        sa.Column("run_id", sa.String(), nullable=False),
        sa.Column("instance", sa.String(), nullable=False),
        sa.Column("started_at", sync.store.column_types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sync.store.column_types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("counts", sa.JSON(), nullable=False),
        sa.Column("quarantined", sa.Integer(), nullable=False),
        sa.Column("api_calls", sa.Integer(), nullable=False),
        sa.Column("writes", sa.Integer(), nullable=False),
        sa.Column("write_errors", sa.Integer(), nullable=False),
        sa.Column("message", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("run_id", name=op.f("pk_runs")),
    )
    with op.batch_alter_table("runs", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_runs_instance_started_at"), ["instance", "started_at"], unique=False
        )

    op.create_table(
        "stage_changes",
        sa.Column("instance", sa.String(), nullable=False),
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("source", sa.String(), nullable=True),
        sa.Column("deleted", sa.Boolean(), nullable=True),
        sa.Column("modified_at", sync.store.column_types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("opportunity_id", sa.String(), nullable=True),
        sa.Column("stage", sa.String(), nullable=True),
        sa.Column("entered_at", sync.store.column_types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("sync_stream", sa.String(), nullable=True),
        sa.Column("sync_run", sa.String(), nullable=True),
        sa.PrimaryKeyConstraint("instance", "id", name=op.f("pk_stage_changes")),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "stages",
        sa.Column("instance", sa.String(), nullable=False),
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("source", sa.String(), nullable=True),
        sa.Column("deleted", sa.Boolean(), nullable=True),
        sa.Column("modified_at", sync.store.column_types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("pipeline", sa.String(), nullable=True),
        sa.Column("stage", sa.String(), nullable=True),
        sa.Column("order", sa.BigInteger(), nullable=True),
        sa.Column("probability", sa.Float(), nullable=True),
        sa.Column("is_closed", sa.Boolean(), nullable=True),
        sa.Column("is_won", sa.Boolean(), nullable=True),
        sa.Column("sync_stream", sa.String(), nullable=True),
        sa.Column("sync_run", sa.String(), nullable=True),
        sa.PrimaryKeyConstraint("instance", "id", name=op.f("pk_stages")),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "users",
        sa.Column("instance", sa.String(), nullable=False),
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("source", sa.String(), nullable=True),
        sa.Column("deleted", sa.Boolean(), nullable=True),
        sa.Column("modified_at", sync.store.column_types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("name", sa.String(), nullable=True),
        sa.Column("email", sa.String(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=True),
        sa.Column("team", sa.String(), nullable=True),
        sa.Column("manager_id", sa.String(), nullable=True),
        sa.Column("started_at", sa.Date(), nullable=True),
        sa.Column("ended_at", sa.Date(), nullable=True),
        sa.Column("sync_stream", sa.String(), nullable=True),
        sa.Column("sync_run", sa.String(), nullable=True),
        sa.PrimaryKeyConstraint("instance", "id", name=op.f("pk_users")),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "write_ledger",
        sa.Column("instance", sa.String(), nullable=False),
        sa.Column("target_key", sa.String(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("crm_id", sa.String(), nullable=True),
        sa.Column("written", sa.JSON(), nullable=True),
        sa.Column("attempted", sa.JSON(), nullable=True),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("error_code", sa.String(), nullable=True),
        sa.Column("message", sa.Text(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("run", sa.String(), nullable=True),
        sa.Column("written_at", sync.store.column_types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("attempted_at", sync.store.column_types.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("instance", "target_key", name=op.f("pk_write_ledger")),
    )
    with op.batch_alter_table("write_ledger", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_write_ledger_instance_status"), ["instance", "status"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("write_ledger", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_write_ledger_instance_status"))

    op.drop_table("write_ledger")
    op.drop_table("users")
    op.drop_table("stages")
    op.drop_table("stage_changes")
    with op.batch_alter_table("runs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_runs_instance_started_at"))

    op.drop_table("runs")
    op.drop_table("quotas")
    with op.batch_alter_table("quarantine", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_quarantine_instance_run"))

    op.drop_table("quarantine")
    op.drop_table("opportunities")
    op.drop_table("locks")
    op.drop_table("line_items")
    op.drop_table("leads")
    op.drop_table("fx_rates")
    op.drop_table("cursors")
    op.drop_table("activities")
    op.drop_table("accounts")
