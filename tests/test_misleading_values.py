"""Values that would mislead: rejected when impossible, warned about when doubtful, printed the same in every
format, and every KPI in its right unit."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from kpi_engine.catalog import CATALOG
from kpi_engine.loading import load_dataset
from sync.cli import app
from sync.cli_output import cell_text, json_bytes
from sync.value_display import format_value

DEAL = {
    "source": "salesforce",
    "id": "o1",
    "modified_at": "2024-01-01T00:00:00Z",
    "stage": "Won",
    "created_at": "2024-01-05T00:00:00Z",
    "close_date": "2024-02-01",
    "is_closed": True,
    "is_won": True,
}


def load_lines(tmp_path: Path, file: str, *lines: str) -> Any:
    (tmp_path / file).write_text("".join(line + "\n" for line in lines))
    return load_dataset(tmp_path)


def deal_line(**fields: Any) -> str:
    return json.dumps(DEAL | fields)


def test_an_amount_of_a_trillion_passes_and_one_more_is_rejected_with_the_reason(tmp_path: Path) -> None:
    result = load_lines(
        tmp_path,
        "opportunities.jsonl",
        deal_line(id="o1", amount=1e12),
        deal_line(id="o2", amount=1e12 + 1),
        deal_line(id="o3", amount="-1,000,000,000,001"),
    )
    assert result.dataset.opportunities["id"].to_list() == ["o1"]
    high, low = result.quarantined
    assert high.field == "amount" and high.reason.startswith(
        "amount: 1000000000001.0 is beyond any real amount (more than 1,000,000,000,000)"
    )
    assert low.reason.startswith("amount: '-1,000,000,000,001' is beyond any real amount")


@pytest.mark.parametrize("literal", ["1e999", "-1e999", "NaN", "Infinity"])
def test_numbers_that_are_not_finite_are_rejected_in_every_number_field(tmp_path: Path, literal: str) -> None:
    amount = deal_line(id="o1").replace('"is_won": true', f'"is_won": true, "amount": {literal}')
    activity = (
        '{"source": "salesforce", "id": "a1", "modified_at": "2024-01-01T00:00:00Z", "kind": "call", '
        f'"occurred_at": "2024-01-01T00:00:00Z", "duration_seconds": {literal}}}'
    )
    (tmp_path / "activities.jsonl").write_text(activity + "\n")
    result = load_lines(tmp_path, "opportunities.jsonl", amount)
    assert result.dataset.opportunities.height == result.dataset.activities.height == 0
    reasons = sorted(q.reason for q in result.quarantined)
    sign = "-" if literal.startswith("-") else ""
    shown = "nan" if literal == "NaN" else f"{sign}inf"
    assert reasons == [
        f"amount: not an amount: {shown} is not a finite number",
        "duration_seconds: Input should be a finite number",
    ]


def test_negative_won_amounts_and_far_out_dates_are_warned_about_and_kept(tmp_path: Path) -> None:
    result = load_lines(
        tmp_path,
        "opportunities.jsonl",
        deal_line(id="o1", amount=-500.0),
        deal_line(id="o2", amount=100.0, is_won=False, stage="Lost"),
        deal_line(id="o3", amount=-50.0, is_won=False, stage="Lost"),  # a lost deal's amount is no booking
        deal_line(id="o4", amount=100.0, close_date="2205-02-01"),  # 181 years after the others
    )
    assert result.dataset.opportunities.height == 4
    assert [w.text() for w in result.warnings] == [
        "opportunities.jsonl: 1 won deal(s) with a negative amount (e.g. o1 (-500.00)); kept, they lower "
        "bookings "
        "and average deal size: check for refunds or credits written as deals",
        "opportunities.jsonl: 1 close_date value(s) more than 15 years from the others (e.g. 2205-02-01 on "
        "id o4; "
        "most are around 2024-02-01); kept: check for a typo or epoch seconds written as milliseconds",
    ]


def test_a_date_fifteen_years_out_is_not_reported(tmp_path: Path) -> None:
    # 2024-02-01 + 15 years = 2039-02-01 (5,479 days, under 15 × 365.25 = 5,478.75 rounded down: 5,478)
    result = load_lines(
        tmp_path,
        "opportunities.jsonl",
        deal_line(id="o1"),
        deal_line(id="o2"),
        deal_line(id="o3", close_date="2039-01-31"),
    )
    assert result.warnings == []


def test_a_non_finite_value_reads_null_in_the_table_and_in_json() -> None:
    for value in (float("inf"), float("-inf"), float("nan")):
        assert format_value(value, "currency") == "null"
        assert cell_text(value) == "null"
        assert json_bytes({"value": value}) == b'{"value":null}'


def test_every_kpi_unit_says_what_its_name_says() -> None:
    assert CATALOG["cac_payback_months"].unit == "months"
    for kpi in CATALOG.values():
        for suffix, unit in (
            ("_days", "days"),
            ("_hours", "hours"),
            ("_months", "months"),
            ("_rate", "ratio"),
            ("_share", "ratio"),
            ("_mrr", "currency"),
            ("_value", "currency"),
        ):
            if kpi.id.endswith(suffix) or kpi.id.endswith(suffix + "_median"):
                assert kpi.unit == unit, kpi.id
    assert format_value(5.75, "months") == "5.8 mo"
    assert format_value(0.4521, "ratio", percent=True) == "45.2%"


def test_the_compute_table_prints_units(tmp_path: Path) -> None:
    (tmp_path / "opportunities.jsonl").write_text(
        deal_line(id="o1", amount=1200.0)
        + "\n"
        + deal_line(id="o2", amount=300.0, is_won=False, stage="Lost")
        + "\n"
    )
    result = CliRunner().invoke(
        app,
        [
            "compute",
            "--input",
            str(tmp_path),
            "--as-of",
            "2024-03-31",
            "--format",
            "table",
            "--scope",
            "org",
            "--kpi",
            "win_rate",
            "--kpi",
            "bookings",
            "--kpi",
            "sales_cycle_days",
        ],
    )
    assert result.exit_code == 0, result.output
    rows = {line.split("│")[1].strip(): line for line in result.stdout.splitlines() if line.startswith("│")}
    cells = {kpi: [cell.strip() for cell in line.split("│")[1:-1]] for kpi, line in rows.items()}
    # kpi, scope, scope_id, period, value, unit, numerator, denominator: one won of two closed
    assert cells["win_rate"][4:] == ["50.0%", "%", "1", "2"]
    assert cells["bookings"][4:6] == ["1,200.00", "currency"]
    # won o1: created 2024-01-05, closed 2024-02-01 = 27 days
    assert cells["sales_cycle_days"][4:6] == ["27.0 d", "days"]


def test_an_overflowing_value_is_null_not_inf() -> None:
    # Frames built without validation (as a connector's could be): two won deals of 1e308 each sum past
    # the largest float; bookings must come out null, not inf (JSON would print null, a table inf).
    from datetime import UTC, date, datetime

    import polars as pl

    from kpi_engine import Dataset, compute

    deals = pl.DataFrame(
        {
            "source": ["salesforce"] * 2,
            "id": ["o1", "o2"],
            "modified_at": [datetime(2024, 1, 1, tzinfo=UTC)] * 2,
            "stage": ["Won"] * 2,
            "created_at": [datetime(2024, 1, 5, tzinfo=UTC)] * 2,
            "close_date": [date(2024, 2, 1)] * 2,
            "is_closed": [True] * 2,
            "is_won": [True] * 2,
            "amount": [1e308, 1e308],
        }
    )
    values = compute(
        Dataset.from_frames("salesforce", opportunities=deals),
        kpis=["bookings", "average_deal_size"],
        scopes=["org"],
        as_of=date(2024, 3, 31),
    )
    by_kpi = {row["kpi"]: row for row in values.iter_rows(named=True)}
    assert by_kpi["bookings"]["value"] is None
    assert by_kpi["average_deal_size"]["value"] is None and by_kpi["average_deal_size"]["numerator"] is None
    assert by_kpi["average_deal_size"]["denominator"] == 2
