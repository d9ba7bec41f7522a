"""Measures' per-row contributions sum to the same terms as their aggregations (the lazy facts' path)."""

from __future__ import annotations

import polars as pl
import pytest

from kpi_engine.measures import Measure, count, mean, median, ratio, total

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
        (count(), {"k__num": [3.0, 2.0]}),
        # flag true (null counts as false): g1 1, g2 2
        (count(FLAG), {"k__num": [1.0, 2.0]}),
        # x where flag (null x = 0): g1 2, g2 0 + 4 = 4
        (total(pl.col("x"), FLAG), {"k__num": [2.0, 4.0]}),
        # mean of x where flag: g1 num 2 den 1 skip 0; g2 num 4 den 1 skip 1 (the null x)
        (mean(pl.col("x"), FLAG), {"k__num": [2.0, 4.0], "k__den": [1.0, 1.0], "k__skip": [0, 1]}),
        # flag / every row: g1 1/3, g2 2/2
        (ratio(count(FLAG), count()), {"k__num": [1.0, 2.0], "k__den": [3.0, 2.0]}),
    ],
)
def test_row_contributions_sum_to_the_aggregations(measure: Measure, expected: dict) -> None:
    aggregated, summed = _both(measure)
    for column, values in expected.items():
        assert aggregated[column] == values
        assert summed[column] == values


def test_median_has_no_row_contributions() -> None:
    with pytest.raises(ValueError, match="median"):
        median(pl.col("x")).row_contributions("k")
