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

from sync.report.quality import ReportInstance, ReportQuality
from sync.report.quality_table import quality_tables
from sync.report.sections import Section, instance_view, kpi_sections

GRAIN_PREFERENCE = ("quarter", "month", "year")

_ENVIRONMENT = Environment(
    loader=PackageLoader("sync.report", "templates"),
    autoescape=True,
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


@dataclass(frozen=True)
class InstancePart:
    """One instance's part of the page: its KPI sections."""

    instance: ReportInstance
    sections: list[Section]


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
    parts = []
    for instance in instances:
        rows = values.filter(pl.col("instance") == instance.name)
        view = instance_view(instance, rows, grain, as_of or _as_of(rows, grain))
        parts.append(InstancePart(instance, kpi_sections(view)))
    return _ENVIRONMENT.get_template("report.html.j2").render(
        title=title,
        grain=grain,
        parts=parts,
        generated_at=(generated_at or datetime.now(UTC)).strftime("%Y-%m-%d %H:%M UTC"),
        quality_tables=quality_tables(quality, instances),
    )


def _as_of(values: pl.DataFrame, grain: str) -> date:
    to_date = values.filter(pl.col("grain") == "to_date")["period_start"]
    if to_date.len():
        return to_date.max()  # type: ignore[return-value]
    ends = values.filter(pl.col("grain") == grain)["period_end"]
    return ends.max() if ends.len() else date.max  # type: ignore[return-value]
