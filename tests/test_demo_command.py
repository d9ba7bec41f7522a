"""`crm-kpi demo` end to end on a tiny generated org: files written, loaded back, every KPI computed."""

from pathlib import Path

import polars as pl
from typer.testing import CliRunner

from kpi_engine.catalog import CATALOG
from kpi_engine.schema import RECORD_FILES
from sync.cli import _register_commands, app

_register_commands()


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
