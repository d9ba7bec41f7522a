"""Quarantine with a threshold: above the allowed share of a table the run fails (exit 1) and prints nothing;
at or below it the run finishes with exit 3; every reason is kept in --quarantine-file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from sync.cli import app

runner = CliRunner()
USER = {"source": "hubspot", "id": "u1", "modified_at": "2024-01-01T00:00:00Z", "name": "Ann"}


def deal(number: int, **fields: Any) -> dict[str, Any]:
    return {
        "source": "hubspot",
        "id": f"o{number}",
        "modified_at": "2024-01-01T00:00:00Z",
        "owner_id": "u1",
        "stage": "won",
        "created_at": "2024-01-05T00:00:00Z",
        "close_date": "2024-02-01",
        "is_closed": True,
        "is_won": True,
        "amount": 100.0,
    } | fields


def write_input(directory: Path, good: int, bad: int) -> Path:
    """`good` valid deals, then `bad` deals whose amount is text that is not an amount."""
    lines = [deal(n) for n in range(1, good + 1)] + [
        deal(good + n, amount="twelve") for n in range(1, bad + 1)
    ]
    (directory / "users.jsonl").write_text(json.dumps(USER) + "\n")
    (directory / "opportunities.jsonl").write_text("".join(json.dumps(line) + "\n" for line in lines))
    return directory


def compute(directory: Path, *extra: str) -> Any:
    return runner.invoke(
        app,
        [
            "compute",
            "--input",
            str(directory),
            "--as-of",
            "2024-03-31",
            "--kpi",
            "deals_won",
            "--scope",
            "org",
            *extra,
        ],
    )


def test_five_percent_of_a_table_is_allowed_and_the_run_is_partial(tmp_path: Path) -> None:
    result = compute(write_input(tmp_path, good=19, bad=1))  # 1 of 20 = 5%: at the default limit
    assert result.exit_code == 3, result.output
    (row,) = [json.loads(line) for line in result.stdout.splitlines()]
    assert row["value"] == 19  # the 19 valid won deals; the quarantined one is left out
    assert "1 record(s) quarantined and left out (1 in opportunities.jsonl)" in result.stderr
    assert "opportunities.jsonl:20: amount: not an amount: 'twelve'" in result.stderr


def test_one_record_past_five_percent_fails_the_run_and_prints_nothing(tmp_path: Path) -> None:
    result = compute(write_input(tmp_path, good=19, bad=2))  # 2 of 21 = 9.5%
    assert result.exit_code == 1
    assert result.stdout == ""
    assert (
        "error: too many records quarantined (opportunities.jsonl: 2 of 21 records (9.5%); the limit is 5% "
        "of "
        "a table); nothing computed"
    ) in result.stderr


def test_the_share_is_per_table(tmp_path: Path) -> None:
    write_input(tmp_path, good=40, bad=1)  # opportunities: 1 of 41, fine
    (tmp_path / "users.jsonl").write_text(
        json.dumps(USER) + "\n" + json.dumps(USER | {"id": "u2", "name": None}) + "\n"
    )
    result = compute(tmp_path)  # users: 1 of 2 = 50%
    assert result.exit_code == 1
    assert (
        "users.jsonl: 1 of 2 records (50.0%)" in result.stderr
        and "opportunities.jsonl" not in result.stderr.split("error:")[1]
    )


def test_the_limit_comes_from_the_settings_or_the_option(tmp_path: Path) -> None:
    write_input(tmp_path, good=19, bad=2)  # 9.5%
    config = tmp_path / "settings.toml"
    config.write_text("[kpis]\nmax_quarantined_share = 0.10\n")
    assert compute(tmp_path, "--config", str(config)).exit_code == 3
    assert compute(tmp_path, "--max-quarantined", "0.09").exit_code == 1
    assert compute(tmp_path, "--max-quarantined", "0.10").exit_code == 3
    bad = compute(tmp_path, "--max-quarantined", "5")
    assert bad.exit_code == 2 and "--max-quarantined 5.0: use a share from 0 to 1" in bad.stderr


def test_every_reason_is_kept_in_the_quarantine_file_and_the_summary_says_where(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    directory = write_input(tmp_path / "in", good=3, bad=7)
    target = tmp_path / "rejected.jsonl"
    result = compute(directory, "--max-quarantined", "1", "--quarantine-file", str(target))
    assert result.exit_code == 3
    lines = [json.loads(line) for line in target.read_text().splitlines()]
    assert len(lines) == 7  # all of them, not the first five
    assert lines[0] == {
        "file": "opportunities.jsonl",
        "line": 4,
        "record_id": "o4",
        "field": "amount",
        "reason": lines[0]["reason"],
        "raw": lines[0]["raw"],
    }
    assert lines[0]["reason"].startswith("amount: not an amount: 'twelve'")
    assert [line["line"] for line in lines] == [4, 5, 6, 7, 8, 9, 10]
    assert f"every record and reason is in {target}" in result.stderr


def test_without_a_quarantine_file_the_summary_says_how_to_keep_them_all(tmp_path: Path) -> None:
    result = compute(write_input(tmp_path, good=3, bad=7), "--max-quarantined", "1")
    assert "... and 2 more; --quarantine-file PATH keeps them all" in result.stderr


def test_a_quarantine_file_on_a_full_disk_fails_the_run_with_one_line(tmp_path: Path) -> None:
    full = Path("/dev/full")  # every write to it fails with ENOSPC
    result = compute(write_input(tmp_path, good=19, bad=1), "--quarantine-file", str(full))
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines()[-1] == (
        "error: --quarantine-file /dev/full: no space left on device; free some space or choose another "
        "location"
    )
