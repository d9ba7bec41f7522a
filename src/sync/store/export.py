"""`crm-kpi export`: an instance's stored records as the input files of `crm-kpi compute --input`.

Deleted records are left out; every other stored column of the shared schema is written, so the files
load back (kpi_engine.loading.load_dataset) into the same dataset the store gives the compute.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
from sqlalchemy.engine import Engine

from kpi_engine.schema import RECORD_FILES, TABLE_FILES
from sync.store.reading import QUOTA_COLUMNS, read_tables, table_query

_ISO_UTC = "%Y-%m-%dT%H:%M:%S%.6fZ"


def export_instance(engine: Engine, instance: str, directory: Path) -> dict[str, int]:
    """Write `users.jsonl` … `line_items.jsonl` and `quotas.csv` into `directory`; returns rows per file."""
    directory.mkdir(parents=True, exist_ok=True)
    queries = {table: table_query(engine, instance, table, include_deleted=False) for table in RECORD_FILES}
    queries["quotas"] = table_query(engine, instance, "quotas", QUOTA_COLUMNS, include_deleted=False)
    frames = read_tables(engine, queries)
    written: dict[str, int] = {}
    for table, (file_name, _model) in RECORD_FILES.items():
        frame = frames[table].sort("id")
        _as_text_datetimes(frame).write_ndjson(directory / file_name)
        written[file_name] = frame.height
    quotas_file = TABLE_FILES["quotas"][0]
    frames["quotas"].sort(QUOTA_COLUMNS).write_csv(directory / quotas_file)
    written[quotas_file] = frames["quotas"].height
    return written


def _as_text_datetimes(frame: pl.DataFrame) -> pl.DataFrame:
    """Datetimes as ISO 8601 with a `Z`: the schema refuses instants without a zone."""
    return frame.with_columns(pl.col(pl.Datetime).dt.to_string(_ISO_UTC))
