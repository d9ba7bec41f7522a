"""`crm-kpi report --input DIR`: a file written from `compute --input` files; bad usage stops with exit 2."""

from datetime import date
from pathlib import Path

from typer.testing import CliRunner

from sandbox.generator import generate_org
from sync.cli import app


def test_report_from_input_files_writes_one_page_with_links(tmp_path: Path) -> None:
    generate_org("tiny", seed=1, as_of=date(2026, 11, 30), source="hubspot").write_jsonl(tmp_path / "org")
    with open(tmp_path / "org" / "opportunities.jsonl", "a") as file:
        file.write('{"source": "hubspot", "id": "10000000777", "amount": "lots"}\n')
    output = tmp_path / "out" / "report.html"
    output.parent.mkdir()
    result = CliRunner().invoke(
        app,
        [
            "report",
            "--input",
            str(tmp_path / "org"),
            "--output",
            str(output),
            "--as-of",
            "2026-11-30",
            "--hubspot-portal",
            "4711",
            "--title",
            "Q&A <org>",
        ],
    )
    assert result.exit_code == 0, result.output
    assert f"wrote {output}" in result.output
    page = output.read_text()
    assert "<title>Q&amp;A &lt;org&gt;</title>" in page
    assert '<a href="https://app.hubspot.com/contacts/4711/record/0-3/10000000777"' in page
    assert page.count('data-chart="hubspot/') == 9


def test_bad_usage_names_the_option(tmp_path: Path) -> None:
    runner = CliRunner()
    no_input = runner.invoke(app, ["report", "--output", str(tmp_path / "r.html")])
    # Without --input the report is the store's: with no instance in the settings there is nothing to report.
    assert no_input.exit_code == 2 and "the settings name no instance" in no_input.output
    to_date = runner.invoke(app, ["report", "--input", str(tmp_path), "--grain", "to_date"])
    assert to_date.exit_code == 2 and "--grain to_date" in to_date.output
    missing = runner.invoke(app, ["report", "--input", str(tmp_path / "nothing-here")])
    assert missing.exit_code == 2 and "nothing-here" in missing.output
    assert not (tmp_path / "r.html").exists()
