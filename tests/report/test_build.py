"""build_report over a hand-written values frame: sections, periods, names, escaping, links, no fetches."""

import re
from datetime import date

import polars as pl
import pytest

from kpi_engine.engine import OUTPUT_SCHEMA
from sync.report import QuarantineRow, RejectedWrite, ReportInstance, ReportQuality, build_report
from sync.report.sections import CHART_NAMES

Q1, Q2, Q3 = (
    (date(2026, 1, 1), date(2026, 4, 1)),
    (date(2026, 4, 1), date(2026, 7, 1)),
    (date(2026, 7, 1), date(2026, 10, 1)),
)
AS_OF = date(2026, 8, 15)  # in Q3: Q2 is the last complete quarter
SF = ReportInstance(
    "acme-sf",
    "salesforce",
    web_url="https://acme.my.salesforce.com",
    names={"005A": "Ann Lee", "005B": "Bo <Brown>"},
)


def row(
    kpi: str,
    value: float | None,
    period: tuple[date, date] = Q2,
    scope: str = "org",
    scope_id: str = "acme-sf",
    unit: str = "currency",
    numerator: float | None = None,
    denominator: float | None = None,
) -> dict[str, object]:
    return {
        "kpi": kpi,
        "scope": scope,
        "scope_id": scope_id,
        "grain": "quarter",
        "period_start": period[0],
        "period_end": period[1],
        "value": value,
        "unit": unit,
        "numerator": numerator,
        "denominator": denominator,
        "skipped": None,
    }


def frame(rows: list[dict[str, object]]) -> pl.DataFrame:
    to_date = row(
        "days_open", 3.0, (AS_OF, date(2026, 8, 16)), scope="opportunity", scope_id="006X", unit="days"
    )
    return pl.DataFrame([*rows, to_date | {"grain": "to_date"}], schema=OUTPUT_SCHEMA, orient="row")


def full_rows() -> list[dict[str, object]]:
    rows = []
    for period, scale in ((Q1, 1.0), (Q2, 2.0), (Q3, 3.0)):
        rows += [
            row("bookings", 1000 * scale, period),
            row("win_rate", 0.1 * scale, period, unit="ratio"),
            row("pipeline_value", 5000 * scale, period),
            row("weighted_pipeline", 2000 * scale, period),
            row("mrr", 900 * scale, period),
            row("new_mrr", 100 * scale, period),
            row("churned_mrr", 20 * scale, period),
        ]
        for rep, activities, quota in (("005A", 10 * scale, 4000.0), ("005B", 30 * scale, 0.0)):
            rows += [
                row("activities", activities, period, "rep", rep, "count"),
                row(
                    "quota_attainment",
                    1000 * scale / quota if quota else None,
                    period,
                    "rep",
                    rep,
                    "ratio",
                    1000 * scale,
                    quota,
                ),
            ]
    rows += [
        row("stage_conversion", 0.5, Q1, "stage", "Prospecting", "ratio", 5, 10),
        row("stage_conversion", 0.75, Q2, "stage", "Prospecting", "ratio", 15, 20),
        row("stage_conversion", 0.5, Q2, "stage", "Proposal", "ratio", 4, 8),
    ]
    return rows


def figures(html: str) -> dict[str, str]:
    """data-chart id → the figure's markup."""
    return {
        m.group(2): m.group(0)
        for m in re.finditer(r'<figure class="([^"]*)" data-chart="([^"]*)">.*?</figure>', html, re.DOTALL)
    }


def report(rows: list[dict[str, object]], quality: ReportQuality = ReportQuality(), **kwargs: object) -> str:
    return build_report(frame(rows), quality, title="Acme", instances=[SF], **kwargs)  # type: ignore[arg-type]


def test_every_chart_draws_and_the_page_fetches_nothing() -> None:
    html = report(full_rows())
    charts = figures(html)
    assert list(charts) == [f"acme-sf/{name}" for name in CHART_NAMES]
    assert not [name for name, markup in charts.items() if "no-data" in markup.split(">")[0]]
    # Self-contained: no external resource of any kind, and a policy that forbids fetching anyway.
    assert not re.search(r"<script|<link|<img|<iframe|\bsrc=|url\(|@import", html)
    assert "default-src 'none'" in html


def test_period_charts_show_every_period_and_rep_charts_the_last_complete_one() -> None:
    charts = figures(report(full_rows()))
    assert charts["acme-sf/bookings"].count('class="mark"') == 3
    assert "Jan–Mar 2026 · bookings: 1,000.00" in charts["acme-sf/bookings"]
    # Q2 (ended 07-01, before the as-of day 08-15), not Q3 which is still running: Ann 20, Bo 60 activities.
    activity = charts["acme-sf/activity"]
    assert "Bo &lt;Brown&gt;: 60" in activity and "Ann Lee: 20" in activity and ": 90" not in activity
    assert activity.index("Bo &lt;Brown&gt;") < activity.index("Ann Lee")  # most active first
    # Only Ann has a quota: 2,000 / 4,000.
    quota = charts["acme-sf/quota_attainment"]
    assert "Ann Lee: 50.0%" in quota and "Brown" not in quota


def test_the_funnel_sums_every_period_per_stage() -> None:
    html = report(full_rows())
    # Prospecting: 20 of 30 entries went on (5 of 10 in Q1, 15 of 20 in Q2); Proposal: 4 of 8.
    assert "Prospecting: 66.7%" in figures(html)["acme-sf/stage_conversion"]
    assert re.search(r"<td>Prospecting</td><td[^>]*>30</td><td[^>]*>20</td><td[^>]*>66.7%</td>", html)
    assert "Proposal: 50.0%" in figures(html)["acme-sf/stage_conversion"]


def test_mrr_losses_are_drawn_below_the_axis() -> None:
    mrr = figures(report(full_rows()))["acme-sf/mrr_movements"]
    assert "Apr–Jun 2026 · churned: -40.00" in mrr and "Apr–Jun 2026 · new: 200.00" in mrr


def test_a_kpi_with_only_null_values_says_no_data() -> None:
    rows = [r | {"value": None} if r["kpi"] == "win_rate" else r for r in full_rows()]
    charts = figures(report(rows))
    assert "no-data" in charts["acme-sf/win_rate"] and ">no data<" in charts["acme-sf/win_rate"]
    assert "no-data" not in charts["acme-sf/bookings"]


def test_quality_rows_are_escaped_and_link_to_their_record() -> None:
    quality = ReportQuality(
        quarantined=[
            QuarantineRow(
                "acme-sf",
                "opportunities",
                "0065g000000MO8bAAG",
                'amount: not an amount: "<script>alert(1)</script>"',
            )
        ],
        rejected_writes=[
            RejectedWrite(
                "acme-sf",
                "win_rate|rep|0055g000001VBZgAAO|quarter|2026-04-01",
                "INSUFFICIENT_ACCESS",
                "no <b>access</b>",
                "assign the permission set",
                "User",
                "0055g000001VBZgAAO",
            )
        ],
    )
    html = report(full_rows(), quality)
    assert "<script" not in html and "<b>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert '<a href="https://acme.my.salesforce.com/lightning/r/Opportunity/0065g000000MO8bAAG/view"' in html
    assert '<a href="https://acme.my.salesforce.com/lightning/r/User/0055g000001VBZgAAO/view"' in html
    assert (
        "<td>INSUFFICIENT_ACCESS</td><td>no &lt;b&gt;access&lt;/b&gt;</td><td>assign the permission set</td>"
        in html
    )


def test_without_quality_rows_the_section_says_so_and_long_lists_are_cut() -> None:
    html = report(full_rows())
    assert "No record was quarantined." in html and "No write was rejected." in html
    many = ReportQuality([QuarantineRow("acme-sf", "leads", str(i), "bad") for i in range(1001)])
    html = report(full_rows(), many)
    assert html.count("<td>leads</td>") == 1000 and "1 more not shown" in html


def test_no_running_note_when_every_period_has_ended() -> None:
    html = report(full_rows(), as_of=date(2026, 10, 1))
    assert "still running" not in html and "Jul–Sep 2026 (the last complete period)" in html


def test_several_instances_need_an_instance_column_and_get_a_part_each() -> None:
    hs = ReportInstance("acme-hs", "hubspot", portal_id="4711")
    values = frame(full_rows())
    with pytest.raises(ValueError, match="'instance' column"):
        build_report(values, ReportQuality(), title="Both", instances=[SF, hs])
    both = pl.concat(
        [
            values.with_columns(instance=pl.lit("acme-sf")),
            values.with_columns(instance=pl.lit("acme-hs"), value=pl.col("value") * 2),
        ]
    )
    html = build_report(
        both,
        ReportQuality([QuarantineRow("acme-hs", "opportunities", "123", "bad")]),
        title="Both",
        instances=[SF, hs],
    )
    charts = figures(html)
    assert len(charts) == 2 * len(CHART_NAMES)
    assert (
        "bookings: 2,000.00" in charts["acme-hs/bookings"]
        and "bookings: 1,000.00" in charts["acme-sf/bookings"]
    )
    assert '<a href="https://app.hubspot.com/contacts/4711/record/0-3/123"' in html
    with pytest.raises(ValueError, match="unique"):
        build_report(both, ReportQuality(), title="Both", instances=[SF, SF])


def test_the_funnel_follows_the_pipeline_order_when_known() -> None:
    rows = [*full_rows(), row("stage_conversion", 1.0, Q2, "stage", "Discovery call", "ratio", 2, 2)]
    ordered = ReportInstance("acme-sf", "salesforce", stage_order=("Proposal", "Prospecting"))
    html = build_report(frame(rows), ReportQuality(), title="Acme", instances=[ordered])
    funnel = figures(html)["acme-sf/funnel"]
    # Proposal (8 entered) before Prospecting (30) as the pipeline says; a stage it does not list comes last.
    assert funnel.index(">Proposal<") < funnel.index(">Prospecting<") < funnel.index(">Discovery call<")
    assert "in pipeline order" in html
    assert "ordered by how many entered" in report(rows)


@pytest.mark.parametrize(
    ("as_of", "period", "ann"),
    [
        (date(2026, 7, 1), "Apr–Jun 2026", "20"),  # Q2 ends (exclusive) on 07-01: complete on that day
        (date(2026, 6, 30), "Jan–Mar 2026", "10"),  # the last day of Q2: Q2 is still running
    ],
)
def test_the_last_complete_period_on_and_before_its_end(as_of: date, period: str, ann: str) -> None:
    html = report(full_rows(), as_of=as_of)
    assert f"{period} (the last complete period): 2 reps with activities." in html
    assert "Jul–Sep 2026 is still running." in html  # Q3, the last period charted, in both cases
    assert f"Ann Lee: {ann}<" in figures(html)["acme-sf/activity"]


@pytest.mark.parametrize(
    ("reps", "note"), [(30, "30 reps with activities."), (31, "the top 30 of 31 reps with activities.")]
)
def test_per_rep_charts_stop_at_30_reps(reps: int, note: str) -> None:
    rows = [row("activities", float(i + 1), Q2, "rep", f"005R{i:02d}", "count") for i in range(reps)]
    html = report(rows)
    assert note in html
    activity = figures(html)["acme-sf/activity"]
    assert activity.count('class="mark"') == 30
    assert (">005R00<" in activity) == (reps == 30)  # the least active rep is the one left out


@pytest.mark.parametrize(("count", "more"), [(1000, False), (1001, True)])
def test_quality_lists_stop_at_1000_rows(count: int, more: bool) -> None:
    many = ReportQuality(rejected_writes=[RejectedWrite("acme-sf", f"k{i}", "E", "m") for i in range(count)])
    html = report(full_rows(), many)
    assert html.count("<td>E</td>") == 1000
    assert ("1 more not shown" in html) == more and "No record was quarantined." in html
