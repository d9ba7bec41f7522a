"""`--data DIR`: Data Loader CSV in, Data Loader CSV out, and errors that name file, row and column."""

from __future__ import annotations

from pathlib import Path

import pytest

from sandbox.generator import generate_org
from sandbox.plugin import SandboxDataError
from sandbox.salesforce import export_org, load_data
from sandbox.salesforce.org import render_org


def test_round_trip_keeps_every_record(tmp_path: Path) -> None:
    original = render_org(generate_org("tiny", seed=3))
    export_org(original, tmp_path)
    loaded = load_data(tmp_path)
    def present(table: dict) -> dict:  # a missing key and a null value are the same field value
        return {rid: {k: v for k, v in rec.items() if v is not None} for rid, rec in table.items()}

    for name in ("Opportunity", "OpportunityHistory", "Task", "Event", "Account", "Lead"):
        assert present(loaded.tables[name]) == present(original.tables[name]), name


def test_errors_name_file_row_and_column(tmp_path: Path) -> None:
    (tmp_path / "Opportunity.csv").write_text("Name,CloseDate\nok,2024-01-31\nbad,31/01/2024\n")
    with pytest.raises(SandboxDataError, match=r"Opportunity.csv: row 3, column 2 \(CloseDate\)"):
        load_data(tmp_path)
    (tmp_path / "Opportunity.csv").write_text("Name,Colour__c\nx,red\n")
    with pytest.raises(SandboxDataError, match=r"row 1, column 2 \('Colour__c'\): no field"):
        load_data(tmp_path)
    (tmp_path / "Opportunity.csv").unlink()
    (tmp_path / "Widget.csv").write_text("Name\nx\n")
    with pytest.raises(SandboxDataError, match="unknown object 'Widget'"):
        load_data(tmp_path)
