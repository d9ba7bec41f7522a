"""What the report needs from a loaded dataset besides the KPI values: rep names and the quarantine rows.

The store will provide the same two things from its tables; `crm-kpi report --input DIR` takes them from
the loaded files.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import date
from pathlib import Path

import polars as pl

from kpi_engine.config import KpiConfig
from kpi_engine.dataset import Dataset
from kpi_engine.engine import compute
from kpi_engine.loading import QuarantinedRecord, load_dataset
from kpi_engine.schema import RECORD_FILES, TABLE_FILES
from sync.report.build import build_report
from sync.report.quality import QuarantineRow, ReportInstance, ReportQuality

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


def report_from_datasets(
    datasets: Sequence[tuple[ReportInstance, Dataset]],
    quality: ReportQuality,
    config: KpiConfig,
    *,
    title: str,
    grain: str = "quarter",
    as_of: date | None = None,
) -> str:
    """The report of one or more instances, each from its records: what the store hands over.

    Computes each dataset (the org scope is its instance), names the reps and orders the stages from the
    dataset where the instance does not say, and builds one page with `quality` (quarantine and ledger).
    """
    described, frames = [], []
    for instance, dataset in datasets:
        described.append(
            replace(
                instance,
                names={**scope_names(dataset), **instance.names},
                stage_order=instance.stage_order or stage_order(dataset),
            )
        )
        values = compute(dataset, config, grain=grain, as_of=as_of)
        frames.append(values.with_columns(instance=pl.lit(instance.name)))
    return build_report(
        pl.concat(frames), quality, title=title, instances=described, grain=grain, as_of=as_of
    )


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

    `instance` gives the record links (web URL, portal id); the instance is named after the records' CRM
    (the org scope id `load_dataset` gives them). Raises `kpi_engine.loading.LoadError` when the directory
    cannot be loaded.
    """
    loaded = load_dataset(input_dir)
    name = loaded.dataset.org_id
    base = instance or ReportInstance(name, "hubspot" if name == "hubspot" else "salesforce")
    quality = ReportQuality(quarantine_rows(name, loaded.quarantined))
    return report_from_datasets(
        [(replace(base, name=name), loaded.dataset)],
        quality,
        config,
        title=title or f"Sales KPIs: {input_dir}",
        grain=grain,
        as_of=as_of,
    )
