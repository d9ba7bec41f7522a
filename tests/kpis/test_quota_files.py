"""Quotas written by people, through the loader: an inclusive quarter end spreads over all 91 days."""

from datetime import date
from pathlib import Path

import polars as pl

from kpi_engine import compute
from kpi_engine.loading import load_dataset


def test_inclusive_quarter_quota_spreads_over_every_day_of_the_quarter(tmp_path: Path) -> None:
    (tmp_path / "users.jsonl").write_text(
        '{"source": "salesforce", "id": "u1", "modified_at": "2024-01-01T00:00:00Z", "name": "Ann"}\n'
    )
    (tmp_path / "quotas.csv").write_text(
        "owner,period_start,period_end,amount\nu1,2024-01-01,2024-03-31,910\n"
    )
    loaded = load_dataset(tmp_path)
    values = compute(
        loaded.dataset,
        grain="month",
        as_of=date(2024, 3, 31),
        since=date(2024, 1, 1),
        kpis=["quota_attainment"],
    )
    quota = values.filter((pl.col("scope") == "rep") & (pl.col("kpi") == "quota_attainment")).sort(
        "period_start"
    )
    # Q1 2024 has 91 days (leap year): 910 / 91 = 10 a day -> Jan 310, Feb 290, Mar 310.
    assert quota["denominator"].to_list() == [310.0, 290.0, 310.0]
