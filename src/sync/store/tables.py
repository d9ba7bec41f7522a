"""The store's tables (SQLAlchemy Core). Record tables are derived from the schema models; the Alembic
migrations under `migrations/` build exactly these (tests/store/test_migrations.py compares them).

Record tables are keyed by (instance, id): one store holds several CRM instances side by side. Deleted
records stay as tombstones (`deleted` true) so that a later read of the same id cannot resurrect an old
version and `export` can leave them out. `sync_stream` / `sync_run` say which stream last stored a row and
in which run: a full read of a stream marks what it did not see as deleted (`Store.tombstone_unseen`).
"""

from __future__ import annotations

import sqlalchemy as sa
from pydantic import BaseModel

from kpi_engine.schema import RECORD_FILES
from sync.store.column_types import UtcDateTime, model_columns
from sync.store.reference_rows import FxRateRow, QuotaRow

metadata = sa.MetaData(
    naming_convention={
        "pk": "pk_%(table_name)s",
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    }
)

RECORD_MODELS: dict[str, type[BaseModel]] = {table: model for table, (_, model) in RECORD_FILES.items()}
RECORD_MODELS.update(quotas=QuotaRow, fx_rates=FxRateRow)
"""Every record table of the store and the model its rows are validated with (connectors.base.RecordTable)."""

SYNC_COLUMNS = ("sync_stream", "sync_run")
"""Book-keeping columns of every record table, not part of the records."""


def _record_table(name: str, model: type[BaseModel]) -> sa.Table:
    return sa.Table(
        name,
        metadata,
        sa.Column("instance", sa.String, primary_key=True),
        sa.Column("id", sa.String, primary_key=True),
        *model_columns(model, skip=("id",)),
        sa.Column("sync_stream", sa.String, nullable=True),
        sa.Column("sync_run", sa.String, nullable=True),
        # Clustered on (instance, id) in SQLite: reading one instance is then a sequential scan, not an index
        # lookup per row (twice as fast for activities, bench/store_read.py).
        sqlite_with_rowid=False,
    )


RECORD_TABLES: dict[str, sa.Table] = {
    name: _record_table(name, model) for name, model in RECORD_MODELS.items()
}

cursors = sa.Table(
    "cursors",
    metadata,
    sa.Column("instance", sa.String, primary_key=True),
    sa.Column("stream", sa.String, primary_key=True),
    sa.Column("cursor", sa.JSON, nullable=True),
    sa.Column("run", sa.String, nullable=True),
    sa.Column("updated_at", UtcDateTime, nullable=False),
)

quarantine = sa.Table(
    "quarantine",
    metadata,
    sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("instance", sa.String, nullable=False),
    sa.Column("run", sa.String, nullable=True),
    sa.Column("table_name", sa.String, nullable=False),
    sa.Column("crm_object", sa.String, nullable=False),
    sa.Column("crm_id", sa.String, nullable=True),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("raw", sa.JSON, nullable=False),
    sa.Column("quarantined_at", UtcDateTime, nullable=False),
    sa.Index(None, "instance", "run"),
)

write_ledger = sa.Table(
    "write_ledger",
    metadata,
    sa.Column("instance", sa.String, primary_key=True),
    sa.Column("target_key", sa.String, primary_key=True),
    sa.Column("kind", sa.String, nullable=False),
    sa.Column("crm_id", sa.String, nullable=True),
    sa.Column("written", sa.JSON, nullable=True),
    sa.Column("attempted", sa.JSON, nullable=True),
    sa.Column("status", sa.String, nullable=False),
    sa.Column("error_code", sa.String, nullable=True),
    sa.Column("message", sa.Text, nullable=True),
    sa.Column("attempts", sa.Integer, nullable=False),
    sa.Column("run", sa.String, nullable=True),
    sa.Column("written_at", UtcDateTime, nullable=True),
    sa.Column("attempted_at", UtcDateTime, nullable=False),
    sa.Index(None, "instance", "status"),
)

runs = sa.Table(
    "runs",
    metadata,
    sa.Column("run_id", sa.String, primary_key=True),
    sa.Column("instance", sa.String, nullable=False),
    sa.Column("started_at", UtcDateTime, nullable=False),
    sa.Column("ended_at", UtcDateTime, nullable=True),
    sa.Column("status", sa.String, nullable=False),
    sa.Column("counts", sa.JSON, nullable=False),
    sa.Column("quarantined", sa.Integer, nullable=False),
    sa.Column("api_calls", sa.Integer, nullable=False),
    sa.Column("writes", sa.Integer, nullable=False),
    sa.Column("write_errors", sa.Integer, nullable=False),
    sa.Column("message", sa.Text, nullable=True),
    sa.Index(None, "instance", "started_at"),
)

locks = sa.Table(
    "locks",
    metadata,
    sa.Column("instance", sa.String, primary_key=True),
    sa.Column("owner", sa.String, nullable=False),
    sa.Column("acquired_at", UtcDateTime, nullable=False),
    sa.Column("expires_at", UtcDateTime, nullable=True),
)

api_budget = sa.Table(
    "api_budget",
    metadata,
    sa.Column("instance", sa.String, primary_key=True),
    sa.Column("used", sa.Integer, nullable=True),
    sa.Column("daily_limit", sa.Integer, nullable=True),
    sa.Column("charged", sa.BigInteger, nullable=False),
    sa.Column("updated_at", UtcDateTime, nullable=False),
)
"""The rate budget every worker shares (`sync.store.budget`): the CRM's count of the day's calls as last
reported, plus what was charged since; `charged` counts every call ever charged, for `status` and benches."""


def record_table(name: str) -> sa.Table:
    try:
        return RECORD_TABLES[name]
    except KeyError:
        raise ValueError(f"unknown record table {name!r}; known: {', '.join(RECORD_TABLES)}") from None


def record_columns(name: str) -> list[str]:
    """The columns of a record table that belong to the records (no instance, no book-keeping)."""
    return [c.name for c in record_table(name).columns if c.name != "instance" and c.name not in SYNC_COLUMNS]
