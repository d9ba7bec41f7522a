"""No traceback on ordinary mistakes: each ends in one line naming the option and the fix, with the documented
exit code (0 ok, 1 the run failed, 2 bad usage or settings, 3 partial)."""

from __future__ import annotations

import errno
import json
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from sync.cli import app

runner = CliRunner()
USER = {"source": "hubspot", "id": "u1", "modified_at": "2024-01-01T00:00:00Z", "name": "Ann"}


@pytest.fixture()
def input_dir(tmp_path: Path) -> Path:
    directory = tmp_path / "input"
    directory.mkdir()
    (directory / "users.jsonl").write_text(json.dumps(USER) + "\n")
    return directory


def one_error_line(result: object, code: int) -> str:
    """The run's stderr is exactly one `error:` line (no traceback) and the exit code is `code`."""
    assert result.exit_code == code, result.output  # type: ignore[attr-defined]
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception  # type: ignore[attr-defined]
    lines = result.stderr.strip().splitlines()  # type: ignore[attr-defined]
    assert len(lines) == 1 and lines[0].startswith("error: "), lines
    assert "Traceback" not in result.output  # type: ignore[attr-defined]
    return str(lines[0])


def test_ordinary_mistakes_each_end_in_one_line_naming_the_option_and_the_fix(
    input_dir: Path, tmp_path: Path
) -> None:
    a_file = input_dir / "users.jsonl"
    cases = [
        (
            ["compute", "--input", str(a_file)],
            f"error: --input {a_file}: is a file; give the directory that holds it (e.g. {input_dir})",
        ),
        (
            ["compute", "--input", str(tmp_path / "absent")],
            f"error: --input {tmp_path / 'absent'}: no such directory",
        ),
        (
            ["compute", "--input", str(input_dir), "--config", str(tmp_path)],
            f"error: --config {tmp_path}: is a directory; "
            f"give the settings file (e.g. {tmp_path / 'settings.toml'})",
        ),
        (
            ["compute", "--input", str(input_dir), "--until", "9999-12-31"],
            "error: --until 9999-12-31: out of range; use a date from 1900-01-01 to 2199-12-31",
        ),
        (
            ["compute", "--input", str(input_dir), "--as-of", "31/12/2024"],
            "error: --as-of '31/12/2024': expected a date as YYYY-MM-DD",
        ),
        (
            ["compute", "--input", str(input_dir), "--since", "2024-06-01", "--until", "2024-01-01"],
            "error: --since 2024-06-01 is not before --until 2024-01-01; --until is exclusive, give a "
            "later day",
        ),
        (
            ["compute", "--input", str(input_dir), "--since", "2024-06-01", "--until", "2024-06-01"],
            "error: --since 2024-06-01 is not before --until 2024-06-01; --until is exclusive, give a "
            "later day",
        ),
        (
            ["compute", "--input", str(input_dir), "--kpi", "days_open", "--scope", "org"],
            "error: --scope org: days_open is not computed at that scope; use --scope opportunity "
            "(`crm-kpi kpis` shows each KPI's scopes)",
        ),
        (
            ["compute", "--input", str(input_dir), "--quarantine-file", str(tmp_path)],
            f"error: --quarantine-file {tmp_path}: is a directory; "
            f"give a file name (e.g. {tmp_path / 'out.jsonl'})",
        ),
        (
            ["demo", "--size", "tiny", "--output-dir", str(a_file)],
            f"error: --output-dir {a_file}: is a file; give a directory (it is created when missing)",
        ),
        (
            ["sandbox", "--crm", "salesforce", "--generate", "--size", "tiny", "--state-dir", str(a_file)],
            f"error: --state-dir {a_file}: is a file; give a directory (it is created when missing)",
        ),
        (
            ["compute", "--input", str(input_dir), "--format", "xml"],
            "error: Invalid value for '--format': 'xml' is not one of 'table', 'json', 'jsonl'; "
            "see 'crm-kpi compute --help'",
        ),
    ]
    for args, expected in cases:
        assert one_error_line(runner.invoke(app, args), 2) == expected, args


def test_a_kpi_with_one_of_the_asked_scopes_is_computed(input_dir: Path) -> None:
    result = runner.invoke(
        app,
        [
            "compute",
            "--input",
            str(input_dir),
            "--kpi",
            "new_leads",
            "--scope",
            "lead_source",
            "--scope",
            "stage",
            "--as-of",
            "2024-03-31",
        ],
    )
    assert result.exit_code == 0, result.output


def test_a_full_disk_fails_the_demo_with_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_space(self: pl.DataFrame, *args: object, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(pl.DataFrame, "write_ndjson", no_space)
    result = runner.invoke(
        app, ["demo", "--size", "tiny", "--as-of", "2025-06-30", "--output-dir", str(tmp_path)]
    )
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines()[-1] == (
        f"error: --output-dir {tmp_path}: no space left on device; free some space or choose another location"
    )
    assert not (tmp_path / "kpis.jsonl").exists()


def test_output_to_a_full_device_is_one_line_not_a_traceback() -> None:
    with open("/dev/full", "w") as full:  # stdout on a full disk: every write fails with ENOSPC
        result = subprocess.run(
            [sys.executable, "-m", "sync", "kpis", "--format", "json"],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            check=False,
        )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines()[0] == (
        "error: standard output: no space left on device; free some space or choose another location"
    )


def test_warnings_reach_the_user_and_a_clean_run_exits_0(input_dir: Path) -> None:
    (input_dir / "users.jsonl").write_text(json.dumps(USER | {"Email": "ann@example.com"}) + "\n")
    result = runner.invoke(
        app,
        [
            "compute",
            "--input",
            str(input_dir),
            "--kpi",
            "new_leads",
            "--scope",
            "org",
            "--as-of",
            "2024-03-31",
        ],
    )
    assert result.exit_code == 0
    assert result.stderr == (
        "warning: users.jsonl:1: unknown field 'Email' in 1 record(s), ignored; did you mean 'email'?\n"
    )
