"""`crm-kpi demo` end to end on a tiny generated org: files written, loaded back, every KPI computed."""

from pathlib import Path

import polars as pl
from typer.testing import CliRunner

from kpi_engine.catalog import CATALOG
from kpi_engine.schema import RECORD_FILES
from sync.cli import app


def test_demo_writes_the_org_and_the_kpi_values(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["demo", "--size", "tiny", "--output-dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    for file_name, _ in RECORD_FILES.values():
        assert (tmp_path / "input" / file_name).exists()
    values = pl.read_ndjson(tmp_path / "kpis.jsonl", infer_schema_length=None)
    # The org table names the headline KPIs with a value.
    assert "win_rate" in result.output and "bookings" in result.output
    org_kpis = set(values.filter(pl.col("scope") == "org")["kpi"].unique())
    # Every visible KPI with an org scope appears at org level; hidden intermediates never do.
    expected = {k for k, e in CATALOG.items() if not e.hidden and "org" in e.scopes}
    assert expected <= org_kpis
    assert not {k for k, e in CATALOG.items() if e.hidden} & set(values["kpi"].unique())


def test_demo_is_reproducible_with_as_of_and_refuses_to_date(tmp_path: Path) -> None:
    runner = CliRunner()
    args = ["demo", "--size", "tiny", "--as-of", "2025-06-30", "--grain", "month"]
    first = runner.invoke(app, [*args, "--output-dir", str(tmp_path / "a")])
    second = runner.invoke(app, [*args, "--output-dir", str(tmp_path / "b")])
    assert first.exit_code == second.exit_code == 0
    # June 2025 ends on 07-01, after the as-of day, so May is the last complete month.
    assert "month starting 2025-05-01" in first.output
    for file_name, _ in RECORD_FILES.values():  # the same org, byte for byte
        assert (tmp_path / "a" / "input" / file_name).read_bytes() == (
            tmp_path / "b" / "input" / file_name
        ).read_bytes()
    # The same values; floats may differ in the last bit (polars sums in parallel, in no fixed order).
    a = pl.read_ndjson(tmp_path / "a" / "kpis.jsonl", infer_schema_length=None)
    b = pl.read_ndjson(tmp_path / "b" / "kpis.jsonl", infer_schema_length=None)
    assert a.drop("value", "numerator", "denominator").equals(b.drop("value", "numerator", "denominator"))
    for column in ("value", "numerator", "denominator"):
        difference = (a[column] - b[column]).abs() / a[column].abs().clip(lower_bound=1.0)
        assert (difference.fill_null(0.0) <= 1e-9).all() and a[column].is_null().equals(b[column].is_null())
    refused = runner.invoke(app, ["demo", "--grain", "to_date", "--output-dir", str(tmp_path / "c")])
    assert refused.exit_code == 2 and "use month, quarter or year" in refused.output


def test_demo_table_names_units_and_percentages_and_says_the_org_is_generated(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app,
        ["demo", "--size", "tiny", "--as-of", "2025-06-30", "--output-dir", str(tmp_path)],
        terminal_width=200,
    )
    assert result.exit_code == 0, result.output
    assert "Organisation KPIs of the generated example org, quarter starting 2025-01-01" in result.stdout
    # progress on stderr while it generates and computes
    assert "generating a tiny example org (seed 0, as of 2025-06-30)" in result.stderr
    assert "computing the KPI catalog" in result.stderr
    rows = {
        cells[0]: cells
        for line in result.stdout.splitlines()
        if line.startswith("│") and (cells := [c.strip() for c in line.split("│")[1:-1]])
    }
    # kpi, name, value, unit, numerator, denominator
    assert (
        rows["win_rate"][1] == "Win rate" and rows["win_rate"][2].endswith("%") and rows["win_rate"][3] == "%"
    )
    assert rows["bookings"][3] == "currency"
    assert rows["sales_cycle_days"][2].endswith(" d") and rows["sales_cycle_days"][3] == "days"
    assert rows["cac_payback_months"][3] == "months"
    assert rows["win_loss_ratio"][3] == "ratio" and not rows["win_loss_ratio"][2].endswith("%")
