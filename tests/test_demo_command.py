"""`crm-kpi demo` end to end on a tiny generated org served by both sandbox CRMs."""

from __future__ import annotations

import os
from pathlib import Path

from typer.testing import CliRunner

from sync.cli import app


def table_rows(output: str, title: str) -> list[list[str]]:
    """The body rows of the rich table printed under `title` (cells of wrapped lines are joined)."""
    lines = output.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(title))
    rows: list[list[str]] = []
    for line in lines[start + 4 :]:
        if not line.startswith("│"):
            break
        cells = [cell.strip() for cell in line.split("│")[1:-1]]
        if cells[0]:
            rows.append(cells)
        else:  # a wrapped continuation line
            rows[-1] = [f"{a} {b}".strip() for a, b in zip(rows[-1], cells, strict=True)]
    return rows


def test_the_demo_installs_syncs_proves_reports_and_syncs_only_what_changed(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app,
        ["demo", "--size", "tiny", "--as-of", "2026-06-30", "--output-dir", str(tmp_path)],
        terminal_width=240,
    )
    assert result.exit_code == 0, result.output
    out = result.stdout

    first = {row[0]: row for row in table_rows(out, "First sync (full)")}
    assert set(first) == {"demo-salesforce", "demo-hubspot"}
    assert all(row[1] == "ok" and int(row[3].replace(",", "")) > 0 for row in first.values())

    # Every written value read back from the CRMs, none differing.
    proof = table_rows(out, "Written values read back from the CRMs")
    assert len(proof) == 2 and all(int(row[1].replace(",", "")) > 0 and row[3] == "0" for row in proof)
    assert "checked" in result.stderr and "all match" in result.stderr

    # Nothing changed: nothing written. After the users' edits: only the edited deals read, something written.
    second = {row[0]: row for row in table_rows(out, "Second sync: nothing changed")}
    assert all(row[3] == "0" for row in second.values())
    third = {row[0]: row for row in table_rows(out, "Third sync, after the users' edits")}
    assert all(int(row[3].replace(",", "")) > 0 for row in third.values())
    # Salesforce: 2 won, 3 raised, 1 added, 1 deleted = 7 opportunities (plus their history rows).
    assert "7 Opportunity" in third["demo-salesforce"][6]
    assert int(third["demo-salesforce"][2].replace(",", "")) < int(
        first["demo-salesforce"][2].replace(",", "")
    )

    # The organisation's KPIs with names, units and percentages; the org is said to be generated.
    org = {row[0]: row for row in table_rows(out, "Organisation KPIs of the generated example org")}
    assert org["win_rate"][1] == "Win rate" and org["win_rate"][2].endswith("%") and org["win_rate"][3] == "%"
    assert org["sales_cycle_days"][3] == "days" and org["cac_payback_months"][3] == "months"
    assert table_rows(out, "Leaderboard")  # reps by bookings

    report = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "demo-salesforce" in report and "demo-hubspot" in report and "<svg" in report
    settings = (tmp_path / "settings.toml").read_text(encoding="utf-8")
    assert "client_secret_env" in settings
    for name, value in os.environ.items():  # the sandboxes' secrets are nowhere in what the demo wrote
        if name.startswith("CRM_KPI_DEMO_") and len(value) > 8:
            assert value not in settings and value not in result.output and value not in report

    # The store outlives the sandboxes: status reads it with the settings the demo wrote.
    status = CliRunner().invoke(
        app, ["status", "--config", str(tmp_path / "settings.toml"), "--format", "json"]
    )
    assert status.exit_code == 0 and '"demo-salesforce"' in status.stdout
