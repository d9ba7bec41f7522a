"""`crm-kpi compute` and `crm-kpi kpis` end to end through the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sync.cli import app

runner = CliRunner()

USERS = [{"source": "hubspot", "id": "u1", "modified_at": "2024-01-01T00:00:00Z", "name": "Ann", "team": "A"}]
OPPS = [
    {
        "source": "hubspot",
        "id": "o1",
        "modified_at": "2024-01-01T00:00:00Z",
        "owner_id": "u1",
        "stage": "won",
        "created_at": "2024-01-05T00:00:00Z",
        "close_date": "2024-02-01",
        "is_closed": True,
        "is_won": True,
        "amount": 100.0,
    },
    {
        "source": "hubspot",
        "id": "o2",
        "modified_at": "2024-01-01T00:00:00Z",
        "owner_id": "u1",
        "stage": "lost",
        "created_at": "2024-01-05T00:00:00Z",
        "close_date": "2024-02-03",
        "is_closed": True,
        "is_won": False,
        "amount": 300.0,
    },
]


@pytest.fixture()
def input_dir(tmp_path: Path) -> Path:
    (tmp_path / "users.jsonl").write_text("\n".join(json.dumps(u) for u in USERS) + "\n")
    # the third line is broken: quarantined, and the run goes on
    (tmp_path / "opportunities.jsonl").write_text("\n".join(json.dumps(o) for o in OPPS) + "\n{not json\n")
    return tmp_path


def test_compute_prints_json_lines(input_dir: Path) -> None:
    result = runner.invoke(
        app,
        [
            "compute",
            "--input",
            str(input_dir),
            "--as-of",
            "2024-03-31",
            "--kpi",
            "win_rate",
            "--kpi",
            "bookings",
            "--scope",
            "org",
            "--max-quarantined",
            "0.5",
        ],
    )
    # one of three opportunity lines quarantined (33%, allowed here): the values print, exit 3 (partial)
    assert result.exit_code == 3, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    by_kpi = {r["kpi"]: r for r in rows}
    assert set(by_kpi) == {"win_rate", "bookings"}
    # one won of two closed; bookings 100
    assert by_kpi["win_rate"]["value"] == 0.5
    assert (by_kpi["win_rate"]["numerator"], by_kpi["win_rate"]["denominator"]) == (1, 2)
    assert by_kpi["bookings"]["value"] == 100
    assert by_kpi["bookings"]["period_start"] == "2024-01-01"
    assert by_kpi["bookings"]["scope_id"] == "hubspot"  # org id = the source instance
    assert "1 record(s) quarantined and left out (1 in opportunities.jsonl)" in result.stderr
    assert "opportunities.jsonl:3" in result.stderr


def test_compute_table_and_month_grain(input_dir: Path) -> None:
    result = runner.invoke(
        app,
        [
            "compute",
            "--input",
            str(input_dir),
            "--as-of",
            "2024-03-31",
            "--grain",
            "month",
            "--format",
            "table",
            "--kpi",
            "deals_won",
            "--scope",
            "org",
            "--max-quarantined",
            "1",
        ],
    )
    assert result.exit_code == 3, result.output
    assert "2024-02-01" in result.stdout and "deals_won" in result.stdout


def test_bad_settings_stop_with_one_message(input_dir: Path, tmp_path: Path) -> None:
    config = tmp_path / "settings.toml"
    config.write_text("[kpis]\nfiscal_year_start_month = 13\n")
    result = runner.invoke(app, ["compute", "--input", str(input_dir), "--config", str(config)])
    assert result.exit_code == 2
    assert "settings.toml: kpis.fiscal_year_start_month" in result.stderr
    config.write_text("[kpis]\nvelocity_windw = 3\n")
    result = runner.invoke(app, ["compute", "--input", str(input_dir), "--config", str(config)])
    assert "kpis.velocity_windw: unknown key" in result.stderr


def test_unknown_kpi_is_one_clear_error(input_dir: Path) -> None:
    result = runner.invoke(app, ["compute", "--input", str(input_dir), "--kpi", "nope"])
    assert result.exit_code == 2 and "unknown KPI id" in result.stderr


def test_kpis_json_lists_catalog_and_not_computable() -> None:
    result = runner.invoke(app, ["kpis", "--format", "json"])
    assert result.exit_code == 0
    document = json.loads(result.stdout)
    ids = {k["id"] for k in document["kpis"]}
    assert {"win_rate", "sales_velocity", "selling_time_share", "stage_conversion"} <= ids
    assert "quota" not in ids  # hidden intermediate
    assert any(n["name"] == "Net Promoter Score" for n in document["not_computable"])
