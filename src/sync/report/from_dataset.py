"""What the report needs from a loaded dataset besides the KPI values: rep names and the quarantine rows.

The store will provide the same two things from its tables; `crm-kpi report --input DIR` takes them from
the loaded files.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from pathlib import Path

import polars as pl

from kpi_engine.config import KpiConfig
from kpi_engine.dataset import Dataset
from kpi_engine.engine import compute
from kpi_engine.loading import QuarantinedRecord, load_dataset
from kpi_engine.schema import RECORD_FILES, TABLE_FILES
from sync.report.build import build_report
from sync.report.quality import Crm, QuarantineRow, ReportInstance, ReportQuality

_TABLE_OF_FILE = {file: table for table, (file, _) in {**RECORD_FILES, **TABLE_FILES}.items()}


def scope_names(dataset: Dataset) -> dict[str, str]:
    """Rep (user) id → name, for the per-rep charts; a user without a name keeps its id."""
    users = dataset.users.filter(pl.col("name").is_not_null())
    return dict(zip(users["id"].to_list(), users["name"].to_list(), strict=True))


def stage_order(dataset: Dataset) -> tuple[str, ...]:
    """The open, undeleted stages in pipeline order (by `order`, then pipeline), each name once."""
    stages = dataset.stages.filter(~pl.col("deleted") & ~pl.col("is_closed").fill_null(False)).sort(
        ["order", "pipeline"]
    )
    return tuple(dict.fromkeys(stages["stage"].drop_nulls().to_list()))


def quarantine_rows(instance: str, quarantined: Iterable[QuarantinedRecord]) -> list[QuarantineRow]:
    """Records `load_dataset` left out, as the report lists them (the reason names the file and line)."""
    return [
        QuarantineRow(
            instance, _TABLE_OF_FILE.get(q.file, q.file), q.record_id, f"{q.file} line {q.line}: {q.reason}"
        )
        for q in quarantined
    ]


def report_from_directory(
    input_dir: Path,
    config: KpiConfig,
    *,
    instance: ReportInstance | None = None,
    grain: str = "quarter",
    as_of: date | None = None,
    title: str | None = None,
) -> str:
    """The report of a directory of `compute --input` files (one CRM's records).

    `instance` gives the record links (web URL, portal id); by default the instance is named after the
    records' CRM and has no links. Raises `kpi_engine.loading.LoadError` when the directory cannot be loaded.
    """
    loaded = load_dataset(input_dir)
    name = loaded.dataset.org_id
    crm: Crm = instance.crm if instance else ("hubspot" if name == "hubspot" else "salesforce")
    base = instance or ReportInstance(name, crm)
    described = ReportInstance(
        name,
        base.crm,
        base.web_url,
        base.portal_id,
        {**scope_names(loaded.dataset), **base.names},
        base.stage_order or stage_order(loaded.dataset),
    )
    values = compute(loaded.dataset, config, grain=grain, as_of=as_of)
    quality = ReportQuality(quarantine_rows(name, loaded.quarantined))
    return build_report(
        values, quality, title=title or f"Sales KPIs: {input_dir}", instances=[described], grain=grain
    )
