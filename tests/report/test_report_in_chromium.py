"""A generated org's report rendered in headless Chromium: every chart drew every value it should."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import polars as pl

from kpi_engine import compute
from kpi_engine.loading import load_dataset
from sandbox.generator import generate_org
from sync.report import ReportInstance, ReportQuality, build_report, quarantine_rows, scope_names
from sync.report.sections import CHART_NAMES, MAX_REPS

AS_OF = date(2026, 11, 30)
LAST_COMPLETE = date(2026, 7, 1)  # Q4 (Oct–Dec) is still running on Nov 30
Measure = Callable[[str], dict[str, dict[str, object]]]
MOVEMENTS = ("new_mrr", "expansion_mrr", "reactivation_mrr", "contraction_mrr", "churned_mrr")


def expected_marks(values: pl.DataFrame) -> dict[str, int]:
    """What each chart must show, from the values: a bar per non-zero value, a point per non-null one."""
    quarters = values.filter(pl.col("grain") == "quarter")
    org = quarters.filter(pl.col("scope") == "org")
    last = quarters.filter((pl.col("scope") == "rep") & (pl.col("period_start") == LAST_COMPLETE))
    stages = (
        quarters.filter(pl.col("kpi") == "stage_conversion")
        .group_by("scope_id")
        .agg(pl.col("numerator").sum(), pl.col("denominator").sum())
    )

    def nonzero(frame: pl.DataFrame, *kpis: str) -> int:
        return frame.filter(pl.col("kpi").is_in(kpis) & (pl.col("value") != 0)).height

    def nonnull(kpi: str) -> int:
        return org.filter((pl.col("kpi") == kpi) & pl.col("value").is_not_null()).height

    quota = last.filter((pl.col("kpi") == "quota_attainment") & (pl.col("denominator") > 0))
    return {
        "bookings": nonzero(org, "bookings"),
        "win_rate": nonnull("win_rate"),
        "funnel": stages.filter(pl.col("denominator") > 0).height,
        "stage_conversion": stages.filter(pl.col("numerator") > 0).height,
        "pipeline": nonzero(org, "pipeline_value", "weighted_pipeline"),
        "activity": min(nonzero(last, "activities"), MAX_REPS),
        "mrr_movements": nonzero(org, *MOVEMENTS),
        "mrr": nonnull("mrr"),
        "quota_attainment": min(nonzero(quota, "quota_attainment"), MAX_REPS),
    }


def test_every_chart_of_a_generated_org_draws_all_its_values(tmp_path: Path, measure_charts: Measure) -> None:
    generate_org("tiny", seed=3, as_of=AS_OF).write_jsonl(tmp_path / "org")
    with open(tmp_path / "org" / "opportunities.jsonl", "a") as file:  # one record to quarantine
        file.write('{"source": "salesforce", "id": "0065g000009ZZZZAAA", "amount": "<script>x</script>"}\n')
    loaded = load_dataset(tmp_path / "org")
    values = compute(loaded.dataset, grain="quarter", as_of=AS_OF)
    expected = expected_marks(values)
    assert all(count > 0 for count in expected.values()), expected  # the org exercises every chart
    # A second instance whose bookings are all 0: the measure must see an empty chart there.
    zeros = values.with_columns(
        value=pl.when(pl.col("kpi") == "bookings").then(0.0).otherwise(pl.col("value")),
        instance=pl.lit("zeros"),
    )
    both = pl.concat([values.with_columns(instance=pl.lit("salesforce")), zeros])
    instances = [
        ReportInstance(
            "salesforce",
            "salesforce",
            web_url="https://acme.my.salesforce.com",
            names=scope_names(loaded.dataset),
        ),
        ReportInstance("zeros", "salesforce"),
    ]
    page = build_report(
        both,
        ReportQuality(quarantine_rows("salesforce", loaded.quarantined)),
        title="Tiny org",
        instances=instances,
    )
    assert "/lightning/r/Opportunity/0065g000009ZZZZAAA/view" in page

    drawn = measure_charts(page)

    assert {name: drawn[f"salesforce/{name}"]["visible"] for name in CHART_NAMES} == expected
    assert all(drawn[f"salesforce/{name}"]["width"] > 300 for name in CHART_NAMES)  # type: ignore[operator]
    assert drawn["zeros/bookings"]["visible"] == 0 and drawn["zeros/win_rate"] == drawn["salesforce/win_rate"]
