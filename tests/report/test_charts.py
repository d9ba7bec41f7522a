"""The inline SVG charts: one mark per value, nulls never drawn as 0, 'no data' instead of an empty frame."""

import re

import pytest

from sync.report.axis import axis_label, nice_ticks, value_label
from sync.report.charts import BOTTOM, HEIGHT, Series, bar_chart, column_chart, line_chart


def marks(svg: str) -> list[str]:
    return re.findall(r'<(?:rect|circle) class="mark"[^>]*>', svg)


def attribute(mark: str, name: str) -> float:
    found = re.search(rf' {name}="([-0-9.]+)"', mark)
    assert found, mark
    return float(found.group(1))


@pytest.mark.parametrize(
    ("low", "high", "ticks"),
    [
        (0, 95, [0, 25, 50, 75, 100]),
        (0, 100, [0, 25, 50, 75, 100]),  # exactly on a tick: no extra tick above
        (0, 101, [0, 50, 100, 150]),
        (12, 0.3, [0, 5, 10, 15]),  # 0 is always on the axis
        (-1652.84, 9800, [-5000, 0, 5000, 10000]),
        (0, 0, [0, 0.25, 0.5, 0.75, 1]),  # all zeros still get an axis
    ],
)
def test_nice_ticks_cover_the_range_from_zero_in_round_steps(
    low: float, high: float, ticks: list[float]
) -> None:
    assert nice_ticks(min(low, high), max(low, high)) == ticks


def test_labels_read_as_people_read_them() -> None:
    assert [axis_label(v, "ratio") for v in (0, 0.25, 1.5)] == ["0%", "25%", "150%"]
    assert [axis_label(v, "currency") for v in (0, 950, 12_000, 3_400_000, -5000)] == [
        "0",
        "950",
        "12k",
        "3.4M",
        "-5k",
    ]
    assert value_label(0.7125, "ratio") == "71.2%"  # round half to even on 71.25
    assert value_label(1234.5, "currency") == "1,234.50"
    assert value_label(None, "currency") == "no value"


@pytest.mark.parametrize(
    "chart",
    [
        lambda: column_chart(
            "x", "Bookings", ["Q1", "Q2"], [Series("bookings", [None, None])], unit="currency"
        ),
        lambda: line_chart("x", "Win rate", ["Q1", "Q2"], [Series("win rate", [None, None])], unit="ratio"),
        lambda: bar_chart("x", "Quota", ["Ann", "Bo"], [None, None], unit="ratio", reference=1.0),
        lambda: column_chart("x", "Bookings", [], [Series("bookings", [])], unit="currency"),
    ],
)
def test_a_chart_of_only_nulls_says_no_data(chart) -> None:  # type: ignore[no-untyped-def]
    html = chart()
    assert 'class="chart no-data"' in html and ">no data<" in html
    assert "<svg" not in html


def test_one_mark_per_value_and_a_null_is_a_gap_not_a_zero() -> None:
    html = line_chart(
        "x", "Win rate", ["Q1", "Q2", "Q3", "Q4"], [Series("win rate", [0.5, None, 0.25, 0.0])], unit="ratio"
    )
    assert len(marks(html)) == 3
    assert html.count("<polyline") == 1  # Q1 alone is no segment; Q3–Q4 is one
    assert "Q2" not in "".join(re.findall(r"<title>[^<]*</title>", html))
    bars = bar_chart("x", "Quota", ["Ann", "Bo", "Cy"], [1.2, None, 0.4], unit="ratio", reference=1.0)
    assert len(marks(bars)) == 2 and ">no value<" in bars and 'class="reference"' in bars


def test_stacked_columns_put_losses_below_the_axis_and_gains_on_top_of_each_other() -> None:
    html = column_chart(
        "x",
        "MRR",
        ["Q1"],
        [Series("new", [300.0]), Series("expansion", [100.0]), Series("churned", [-200.0])],
        unit="currency",
        stacked=True,
    )
    new, expansion, churned = marks(html)
    # Ticks -200..400 by 100 over the plot's height: 100 currency units is a sixth of it.
    unit = (HEIGHT - BOTTOM - 14) / 6
    assert attribute(new, "height") == pytest.approx(3 * unit, abs=0.1)
    assert attribute(expansion, "y") + attribute(expansion, "height") == pytest.approx(
        attribute(new, "y"), abs=0.1
    )
    assert attribute(churned, "y") == pytest.approx(attribute(new, "y") + attribute(new, "height"), abs=0.1)
    assert attribute(churned, "height") == pytest.approx(2 * unit, abs=0.1)


def test_grouped_columns_stand_side_by_side() -> None:
    html = column_chart(
        "x",
        "Pipeline",
        ["Q1", "Q2"],
        [Series("value", [10.0, 20.0]), Series("weighted", [5.0, 8.0])],
        unit="currency",
    )
    q1_value, q1_weighted, _, _ = marks(html)
    assert attribute(q1_weighted, "x") == pytest.approx(
        attribute(q1_value, "x") + attribute(q1_value, "width")
    )
    assert attribute(q1_value, "height") == pytest.approx(2 * attribute(q1_weighted, "height"))
    assert ">value<" in html and ">weighted<" in html  # a legend for two series


def test_labels_and_tooltips_are_escaped() -> None:
    html = bar_chart("x", "Activities <b>", ['<script>alert("rep")</script>'], [3.0], unit="count")
    assert "<script" not in html and "<b>" not in html
    assert "&lt;script&gt;" in html
