"""`build_report`: KPI values and data-quality rows → one self-contained HTML page.

Independent of where the values come from: the store, `compute --input` files, or a test's own frame.
The page fetches nothing when it opens (inline CSS and SVG, no script, and a Content-Security-Policy that
forbids loading anything), so it can be mailed, archived or opened offline.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

import polars as pl
from jinja2 import Environment, PackageLoader, StrictUndefined

from sync.report.links import record_url
from sync.report.quality import ReportInstance, ReportQuality
from sync.report.sections import InstanceView, instance_view, kpi_sections

GRAIN_PREFERENCE = ("quarter", "month", "year")
MAX_QUALITY_ROWS = 1000
"""Per list; past that the page says how many more there are (`crm-kpi status` lists them all)."""

_ENVIRONMENT = Environment(
    loader=PackageLoader("sync.report", "templates"),
    autoescape=True,
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


@dataclass(frozen=True)
class QualityLine:
    """One data-quality row as the page shows it: the cells, and the record's link where one is known."""

    instance: str
    what: str
    crm_id: str
    url: str | None
    problem: str
    detail: str


def build_report(
    values: pl.DataFrame,
    quality: ReportQuality,
    *,
    title: str,
    instances: Sequence[ReportInstance],
    grain: str | None = None,
    as_of: date | None = None,
    generated_at: datetime | None = None,
) -> str:
    """The report as one HTML document.

    `values`: `kpi_engine.engine.compute` output (OUTPUT_SCHEMA). With several instances it needs an
    `instance` column naming each row's instance; with one, the column may be left out. `grain`: the period
    length charted (default: quarter, else month, else year, whichever the values hold). `as_of`: periods
    ending on or before it are complete (default: the as-of day of the values' `to_date` rows, else the end
    of the last period).
    """
    if not instances:
        raise ValueError("build_report needs at least one instance")
    names = [i.name for i in instances]
    if len(set(names)) != len(names):
        raise ValueError(f"instance names must be unique: {names}")
    if "instance" not in values.columns:
        if len(instances) > 1:
            raise ValueError(
                "values of several instances need an 'instance' column naming each row's instance"
            )
        values = values.with_columns(pl.lit(instances[0].name).alias("instance"))
    grain = grain or next((g for g in GRAIN_PREFERENCE if (values["grain"] == g).any()), "quarter")
    views = []
    for instance in instances:
        rows = values.filter(pl.col("instance") == instance.name)
        view = instance_view(instance, rows, grain, as_of or _as_of(rows, grain))
        views.append(
            InstanceView(view.instance, view.values, view.periods, view.last_complete, kpi_sections(view))
        )
    by_name = {i.name: i for i in instances}
    quarantined = [
        QualityLine(
            q.instance,
            q.table,
            q.crm_id or "",
            _link(by_name, q.instance, q.table, q.crm_id, q.crm_object),
            "quarantined",
            q.reason,
        )
        for q in quality.quarantined[:MAX_QUALITY_ROWS]
    ]
    rejected = [
        QualityLine(
            w.instance,
            w.target_key,
            w.crm_id or "",
            _link(by_name, w.instance, "", w.crm_id, w.crm_object),
            w.error_code,
            w.message + (f" Fix: {w.fix}" if w.fix else ""),
        )
        for w in quality.rejected_writes[:MAX_QUALITY_ROWS]
    ]
    return _ENVIRONMENT.get_template("report.html.j2").render(
        title=title,
        grain=grain,
        views=views,
        generated_at=(generated_at or datetime.now(UTC)).strftime("%Y-%m-%d %H:%M UTC"),
        quarantined=quarantined,
        quarantined_more=max(len(quality.quarantined) - MAX_QUALITY_ROWS, 0),
        rejected=rejected,
        rejected_more=max(len(quality.rejected_writes) - MAX_QUALITY_ROWS, 0),
    )


def _as_of(values: pl.DataFrame, grain: str) -> date:
    to_date = values.filter(pl.col("grain") == "to_date")["period_start"]
    if to_date.len():
        return to_date.max()  # type: ignore[return-value]
    ends = values.filter(pl.col("grain") == grain)["period_end"]
    return ends.max() if ends.len() else date.max  # type: ignore[return-value]


def _link(
    instances: dict[str, ReportInstance], name: str, table: str, crm_id: str | None, crm_object: str | None
) -> str | None:
    instance = instances.get(name)
    return record_url(instance, table, crm_id, crm_object) if instance else None
