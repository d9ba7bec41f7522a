"""The report's KPI sections for one instance: which KPI values each chart shows, read from the compute.

The input is `kpi_engine.engine.compute`'s output (one instance's rows, one grain chosen by the caller).
Trends (bookings, win rate, pipeline, MRR) show every period; per-rep views (activity, quota attainment)
show the last complete period, because a period still running would make every rep look behind.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import polars as pl
from markupsafe import Markup

from sync.report.axis import value_label
from sync.report.charts import Series, bar_chart, column_chart, line_chart
from sync.report.quality import ReportInstance

MAX_REPS = 30
"""Per-rep charts show the top reps only, so that a 500-rep org still gives a readable page."""

CHART_NAMES = (
    "bookings",
    "win_rate",
    "funnel",
    "stage_conversion",
    "pipeline",
    "activity",
    "mrr_movements",
    "mrr",
    "quota_attainment",
)
"""The charts of each instance's part of the report, in page order; `data-chart` is `instance/name`."""

MRR_MOVEMENTS = (
    ("new_mrr", "new", 1),
    ("expansion_mrr", "expansion", 1),
    ("reactivation_mrr", "reactivation", 1),
    ("contraction_mrr", "contraction", -1),
    ("churned_mrr", "churned", -1),
)
"""The MRR movements as the chart stacks them: gains above the axis, losses (drawn negative) below."""

REPORT_KPIS = (
    "bookings",
    "win_rate",
    "stage_conversion",
    "pipeline_value",
    "weighted_pipeline",
    "activities",
    "mrr",
    "quota_attainment",
    *(kpi for kpi, _, _ in MRR_MOVEMENTS),
)
REPORT_SCOPES = ("org", "rep", "stage")


@dataclass(frozen=True)
class Table:
    header: list[str]
    rows: list[list[str]]


@dataclass(frozen=True)
class Section:
    """One titled block of the report: charts, an optional table, and a sentence saying what they show."""

    key: str
    title: str
    note: str
    charts: list[Markup]
    table: Table | None = None


@dataclass(frozen=True)
class InstanceView:
    """One instance's values at one grain, with its ordered periods and the last complete one."""

    instance: ReportInstance
    values: pl.DataFrame
    periods: list[tuple[date, date]]
    last_complete: tuple[date, date] | None

    def chart_id(self, name: str) -> str:
        return f"{self.instance.name}/{name}"

    def labels(self) -> list[str]:
        return [period_label(start, end) for start, end in self.periods]

    def running_note(self) -> str:
        """Says so when the last period charted has not ended yet (its bars are partial)."""
        if not self.periods or self.periods[-1] == self.last_complete:
            return ""
        return f" {period_label(*self.periods[-1])} is still running."

    def series(self, kpi: str, name: str, sign: int = 1) -> Series:
        """The org's values of one KPI, one per period (None where the period has no row or a null value)."""
        rows = self.values.filter((pl.col("kpi") == kpi) & (pl.col("scope") == "org"))
        by_start = dict(zip(rows["period_start"].to_list(), rows["value"].to_list(), strict=True))
        values = [by_start.get(start) for start, _ in self.periods]
        return Series(name, [None if v is None else sign * v for v in values])

    def by_rep(self, kpi: str) -> pl.DataFrame:
        """One KPI's rep rows in the last complete period: name (or id), value, numerator, denominator."""
        start = self.last_complete[0] if self.last_complete else None
        rows = self.values.filter(
            (pl.col("kpi") == kpi) & (pl.col("scope") == "rep") & (pl.col("period_start") == start)
        )
        names = self.instance.names
        return rows.select(
            pl.col("scope_id")
            .replace_strict(names, default=pl.col("scope_id"), return_dtype=pl.String)
            .alias("name"),
            "value",
            "numerator",
            "denominator",
        )


def period_label(start: date, end: date) -> str:
    """`Jul 2026` for a month, `Jul–Sep 2026` for a quarter or year (fiscal years may start in any month)."""
    last = end - timedelta(days=1)
    if (start.year, start.month) == (last.year, last.month):
        return f"{start:%b %Y}"
    return f"{start:%b}–{last:%b %Y}" if start.year == last.year else f"{start:%b %Y}–{last:%b %Y}"


def instance_view(instance: ReportInstance, values: pl.DataFrame, grain: str, as_of: date) -> InstanceView:
    """One instance's rows at `grain`; a period is complete when it ended on or before `as_of`.

    Only the KPIs and scopes the report draws are kept, so that charting a million-opportunity org's
    values scans a few thousand rows, not its opportunity-scope ones.
    """
    rows = values.filter(
        (pl.col("grain") == grain) & pl.col("kpi").is_in(REPORT_KPIS) & pl.col("scope").is_in(REPORT_SCOPES)
    )
    periods = rows.select("period_start", "period_end").unique().sort("period_start").rows()
    complete = [p for p in periods if p[1] <= as_of]
    return InstanceView(instance, rows, periods, complete[-1] if complete else None)


def kpi_sections(view: InstanceView) -> list[Section]:
    """The report's KPI sections for one instance, in reading order."""
    return [_bookings(view), _funnel(view), _pipeline(view), _activity(view), _mrr(view), _quota(view)]


def _bookings(view: InstanceView) -> Section:
    labels = view.labels()
    return Section(
        "bookings",
        "Bookings and win rate",
        "Won amount and won ÷ closed deals, per period, for the org." + view.running_note(),
        [
            column_chart(
                view.chart_id("bookings"),
                "Bookings",
                labels,
                [view.series("bookings", "bookings")],
                unit="currency",
            ),
            line_chart(
                view.chart_id("win_rate"),
                "Win rate",
                labels,
                [view.series("win_rate", "win rate")],
                unit="ratio",
            ),
        ],
    )


def _funnel(view: InstanceView) -> Section:
    order = {stage: rank for rank, stage in enumerate(view.instance.stage_order)}
    stages = (
        view.values.filter((pl.col("kpi") == "stage_conversion") & (pl.col("scope") == "stage"))
        .group_by("scope_id")
        .agg(pl.col("numerator").sum(), pl.col("denominator").sum())
        .filter(pl.col("denominator") > 0)
        .with_columns(
            rank=pl.col("scope_id").replace_strict(order, default=len(order), return_dtype=pl.Int64)
        )
        .sort(["rank", "denominator", "scope_id"], descending=[False, True, False])
    )
    names = stages["scope_id"].to_list()
    entered = stages["denominator"].to_list()
    conversion = [n / d for n, d in zip(stages["numerator"].to_list(), entered, strict=True)]
    table = Table(
        ["stage", "entered", "went on to a later stage", "conversion"],
        [
            [name, f"{d:,.0f}", f"{n:,.0f}", value_label(c, "ratio")]
            for name, d, n, c in zip(names, entered, stages["numerator"].to_list(), conversion, strict=True)
        ],
    )
    ordered = "in pipeline order" if order else "ordered by how many entered"
    note = (
        "Opportunities that entered each open stage over the whole report, and the share that went on to a "
        f"later open stage or were won (stages {ordered})."
    )
    return Section(
        "funnel",
        "Funnel and stage conversion",
        note,
        [
            bar_chart(
                view.chart_id("funnel"), "Opportunities entering each stage", names, entered, unit="count"
            ),
            bar_chart(view.chart_id("stage_conversion"), "Stage conversion", names, conversion, unit="ratio"),
        ],
        table,
    )


def _pipeline(view: InstanceView) -> Section:
    series = [
        view.series("pipeline_value", "pipeline value"),
        view.series("weighted_pipeline", "weighted pipeline"),
    ]
    return Section(
        "pipeline",
        "Pipeline",
        "Amount open at each period end, and the same weighted by probability." + view.running_note(),
        [
            column_chart(
                view.chart_id("pipeline"),
                "Open pipeline at period end",
                view.labels(),
                series,
                unit="currency",
            ),
        ],
    )


def _activity(view: InstanceView) -> Section:
    reps = (
        view.by_rep("activities")
        .filter(pl.col("value") > 0)
        .sort(["value", "name"], descending=[True, False])
    )
    title = "Completed activities per rep"
    return Section(
        "activity",
        "Activity by rep",
        _per_rep_note(view, reps.height, "reps with activities"),
        [
            bar_chart(
                view.chart_id("activity"),
                title,
                reps["name"].head(MAX_REPS).to_list(),
                reps["value"].head(MAX_REPS).to_list(),
                unit="count",
            ),
        ],
    )


def _mrr(view: InstanceView) -> Section:
    movements = [view.series(kpi, name, sign) for kpi, name, sign in MRR_MOVEMENTS]
    return Section(
        "mrr",
        "MRR movements",
        "Monthly recurring revenue gained (above the axis) and lost (below), "
        "per period, and MRR at each period end." + view.running_note(),
        [
            column_chart(
                view.chart_id("mrr_movements"),
                "MRR movements",
                view.labels(),
                movements,
                unit="currency",
                stacked=True,
            ),
            line_chart(
                view.chart_id("mrr"),
                "MRR at period end",
                view.labels(),
                [view.series("mrr", "MRR")],
                unit="currency",
            ),
        ],
    )


def _quota(view: InstanceView) -> Section:
    reps = (
        view.by_rep("quota_attainment")
        .filter(pl.col("denominator") > 0)
        .sort(["value", "name"], descending=[True, False])
    )
    return Section(
        "quota",
        "Quota attainment by rep",
        _per_rep_note(view, reps.height, "reps with a quota") + " The dashed line is 100%.",
        [
            bar_chart(
                view.chart_id("quota_attainment"),
                "Bookings ÷ quota",
                reps["name"].head(MAX_REPS).to_list(),
                reps["value"].head(MAX_REPS).to_list(),
                unit="ratio",
                reference=1.0,
            ),
        ],
    )


def _per_rep_note(view: InstanceView, count: int, what: str) -> str:
    if view.last_complete is None:
        return "No period has ended yet."
    shown = f"the top {MAX_REPS} of {count} {what}" if count > MAX_REPS else f"{count} {what}"
    return f"{period_label(*view.last_complete)} (the last complete period): {shown}."
