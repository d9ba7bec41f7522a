"""One CLI convention: explicit registration, one --format, one error path, help with examples, --version."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from typer.testing import CliRunner

from sync.cli import COMMANDS, app
from sync.cli_errors import CliError, ExitCode

runner = CliRunner()


def test_commands_are_registered_explicitly_in_one_table() -> None:
    source = (Path(__file__).parents[1] / "src" / "sync" / "cli.py").read_text()
    assert "pkgutil" not in source and "iter_modules" not in source
    registered = {command.name for command in typer.main.get_command(app).commands.values()}  # type: ignore[attr-defined]
    assert registered == set(COMMANDS) >= {"compute", "demo", "kpis", "sandbox", "schema"}


def test_version_prints_the_package_version() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.stdout.startswith("crm-kpi ") and result.stdout.strip() != "crm-kpi"


def test_every_command_has_help_with_examples_and_no_hard_line_breaks() -> None:
    for name in COMMANDS:
        result = runner.invoke(app, [name, "--help"], terminal_width=100)
        assert result.exit_code == 0, name
        assert "Examples:" in result.stdout and f"crm-kpi {name}" in result.stdout, name
        # Paragraphs are rewrapped to the terminal: no line of help text is wider than it.
        assert max(len(line) for line in result.stdout.splitlines()) <= 100, name


def test_format_has_the_same_names_on_every_command_that_prints_data(tmp_path: Path) -> None:
    for name in ("compute", "demo", "kpis"):
        result = runner.invoke(app, [name, "--help"], terminal_width=200)
        assert "table|json|jsonl" in result.stdout, name
    # json is one document, jsonl one object a line, table is for people
    document = json.loads(runner.invoke(app, ["kpis", "--format", "json"]).stdout)
    assert set(document) == {"kpis", "not_computable"}
    lines = runner.invoke(app, ["kpis", "--format", "jsonl"]).stdout.splitlines()
    first = json.loads(lines[0])
    assert first["section"] == "kpis" and first["id"] == "deals_won"
    assert len(lines) == len(document["kpis"]) + len(document["not_computable"])


def test_compute_json_is_one_document_of_values(tmp_path: Path) -> None:
    user = {"source": "hubspot", "id": "u1", "modified_at": "2024-01-01T00:00:00Z", "name": "Ann"}
    (tmp_path / "users.jsonl").write_text(json.dumps(user) + "\n")
    args = [
        "compute",
        "--input",
        str(tmp_path),
        "--kpi",
        "deals_won",
        "--scope",
        "org",
        "--as-of",
        "2024-03-31",
    ]
    document = json.loads(runner.invoke(app, [*args, "--format", "json"]).stdout)
    stream = [
        json.loads(line) for line in runner.invoke(app, [*args, "--format", "jsonl"]).stdout.splitlines()
    ]
    assert list(document) == ["values"]
    assert document["values"] == stream  # the same values, as a document or as a stream
    assert [(v["period_start"], v["value"]) for v in stream] == [("2024-01-01", 0.0)]


def test_kpis_shows_each_kpis_scopes_and_units() -> None:
    document = json.loads(runner.invoke(app, ["kpis", "--format", "json"]).stdout)
    by_id = {k["id"]: k for k in document["kpis"]}
    assert by_id["stage_conversion"]["scopes"] == ["stage"]
    assert by_id["cac_payback_months"]["unit"] == "months"
    table = runner.invoke(app, ["kpis"], terminal_width=250).stdout
    days_open = next(line for line in table.splitlines() if "│ days_open " in line)
    assert "opportunity" in days_open
    win_rate = next(line for line in table.splitlines() if "│ win_rate " in line)
    assert "│ % " in win_rate  # a share reads as a percentage


def test_a_usage_error_is_one_line_through_the_same_function() -> None:
    result = runner.invoke(app, ["compute", "--input", ".", "--grain", "week"])
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith("error: Invalid value for '--grain'")
    assert "crm-kpi compute --help" in result.stderr
    unknown = runner.invoke(app, ["comptue"])
    assert unknown.exit_code == 2 and unknown.stderr.startswith("error: No such command 'comptue'")


def test_a_cli_error_carries_its_exit_code_and_is_printed_once() -> None:
    probe = typer.Typer(cls=type(typer.main.get_command(app)))

    @probe.callback()
    def root() -> None:
        """A group, as the app is."""

    @probe.command()
    def fails(code: int) -> None:
        raise CliError("--thing x: broken; use y", ExitCode(code))

    for code in (1, 2, 3):
        result = runner.invoke(probe, ["fails", str(code)])
        assert result.exit_code == code
        assert result.stderr == "error: --thing x: broken; use y\n"
