"""Measures' per-row contributions sum to the same terms as their aggregations (the lazy facts' path)."""

from __future__ import annotations

import polars as pl
import pytest

from kpi_engine.measures import Count, Mean, Measure, Median, Ratio, Total

# Two groups; x has a null in each, flag has a null in g1.
ROWS = pl.DataFrame(
    {
        "g": ["g1", "g1", "g1", "g2", "g2"],
        "x": [2.0, None, 5.0, None, 4.0],
        "flag": [True, None, False, True, True],
    }
)
FLAG = pl.col("flag")


def _both(measure: Measure) -> tuple[dict, dict]:
    aggregated = ROWS.group_by("g").agg(measure.aggregations("k")).sort("g")
    summed = (
        ROWS.select("g", *measure.row_contributions("k")).group_by("g").agg(pl.exclude("g").sum()).sort("g")
    )
    return aggregated.to_dict(as_series=False), summed.to_dict(as_series=False)


@pytest.mark.parametrize(
    ("measure", "expected"),
    [
        # every row: g1 3, g2 2
        (Count(), {"k__num": [3.0, 2.0]}),
        # flag true (null counts as false): g1 1, g2 2
        (Count(FLAG), {"k__num": [1.0, 2.0]}),
        # x where flag (null x = 0): g1 2, g2 0 + 4 = 4
        (Total(pl.col("x"), FLAG), {"k__num": [2.0, 4.0]}),
        # mean of x where flag: g1 num 2 den 1 skip 0; g2 num 4 den 1 skip 1 (the null x)
        (Mean(pl.col("x"), FLAG), {"k__num": [2.0, 4.0], "k__den": [1.0, 1.0], "k__skip": [0, 1]}),
        # flag / every row: g1 1/3, g2 2/2
        (Ratio(Count(FLAG), Count()), {"k__num": [1.0, 2.0], "k__den": [3.0, 2.0]}),
    ],
)
def test_row_contributions_sum_to_the_aggregations(measure: Measure, expected: dict) -> None:
    aggregated, summed = _both(measure)
    for column, values in expected.items():
        assert aggregated[column] == values
        assert summed[column] == values


def test_median_has_no_row_contributions() -> None:
    with pytest.raises(ValueError, match="median"):
        Median(pl.col("x")).row_contributions("k")


@pytest.mark.parametrize(
    ("measure", "expected"),
    [
        # g1: flag true once (1), g2: twice (2)
        (Count(FLAG), [1.0, 2.0]),
        # g1: 2 + 0 (null x) + 5 = 7, g2: 0 + 4 = 4
        (Total(pl.col("x")), [7.0, 4.0]),
        # g1: (2 + 5) / 2 = 3.5, g2: 4 / 1
        (Mean(pl.col("x")), [3.5, 4.0]),
        # g1: median of 2, 5 = 3.5; g2: 4
        (Median(pl.col("x")), [3.5, 4.0]),
        # x where flag / x where not flag: g1 2 / 5 = 0.4; g2 4 / 0 -> null, never inf or 0
        (Ratio(Total(pl.col("x"), FLAG), Total(pl.col("x"), ~FLAG)), [0.4, None]),
    ],
)
def test_each_measure_owns_its_value(measure: Measure, expected: list[float | None]) -> None:
    aggregated = ROWS.group_by("g").agg(measure.aggregations("k")).sort("g")

    def column(suffix: str) -> pl.Expr:
        name = f"k__{suffix}"
        return pl.col(name).fill_null(0) if name in aggregated.columns else pl.lit(None, dtype=pl.Float64)

    value = aggregated.select(measure.value(column("num"), column("den"), pl.col("k__direct")
                                            if "k__direct" in aggregated.columns else pl.lit(None)))
    assert value.to_series().to_list() == expected


def test_a_ratio_takes_counts_or_totals_only() -> None:
    with pytest.raises(ValueError, match="counts or totals"):
        Ratio(Mean(pl.col("x")), Count())
