"""The loader of `compute --input DIR`: quarantine with file and line, duplicates, quota owners."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from kpi_engine.loading import LoadError, load_dataset


def user(uid: str, **fields: Any) -> dict[str, Any]:
    return {"source": "salesforce", "id": uid, "modified_at": "2024-01-01T00:00:00Z", "name": uid} | fields


def write_jsonl(path: Path, *lines: dict[str, Any] | str) -> None:
    path.write_text("".join((line if isinstance(line, str) else json.dumps(line)) + "\n" for line in lines))


def test_a_directory_without_input_files_is_an_error_naming_them(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(LoadError) as caught:
        load_dataset(tmp_path)
    assert "opportunities.jsonl" in str(caught.value) and "quotas.csv" in str(caught.value)


def test_a_missing_directory_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(LoadError, match="no such directory"):
        load_dataset(tmp_path / "absent")


def test_missing_files_are_empty_tables_with_the_schema_columns(tmp_path: Path) -> None:
    write_jsonl(tmp_path / "users.jsonl", user("u1"))
    result = load_dataset(tmp_path)
    assert result.dataset.users.height == 1
    assert result.dataset.opportunities.height == 0
    assert "close_date" in result.dataset.opportunities.columns
    assert result.quarantined == []


def test_bad_lines_are_quarantined_with_file_line_and_reason_and_the_load_goes_on(tmp_path: Path) -> None:
    write_jsonl(
        tmp_path / "users.jsonl",
        user("u1"),
        "{this is not json",
        "",  # blank lines are skipped, but still counted as lines
        user("u2", modified_at="2024-01-01T00:00:00"),
        user("u3"),
    )
    result = load_dataset(tmp_path)
    assert result.dataset.users["id"].to_list() == ["u1", "u3"]
    bad_json, naive = result.quarantined
    assert (bad_json.file, bad_json.line, bad_json.record_id) == ("users.jsonl", 2, None)
    assert bad_json.reason.startswith("not valid JSON")
    assert bad_json.raw == "{this is not json"
    assert (naive.file, naive.line, naive.record_id) == ("users.jsonl", 4, "u2")
    assert naive.reason.startswith("modified_at: no time zone")


def test_duplicate_ids_keep_the_latest_modified_at_and_are_counted(tmp_path: Path) -> None:
    write_jsonl(
        tmp_path / "users.jsonl",
        user("u1", name="newest", modified_at="2024-03-01T00:00:00Z"),
        user("u1", name="older", modified_at="2024-02-01T00:00:00Z"),
        user("u2", name="first", modified_at="2024-02-01T00:00:00Z"),
        user("u2", name="same time, later line", modified_at="2024-02-01T00:00:00Z"),
    )
    result = load_dataset(tmp_path)
    assert dict(zip(result.dataset.users["id"], result.dataset.users["name"], strict=True)) == {
        "u1": "newest",
        "u2": "same time, later line",
    }
    assert result.duplicates == {"users.jsonl": 2}
    assert result.quarantined == []


def test_deleted_records_are_kept(tmp_path: Path) -> None:
    write_jsonl(tmp_path / "users.jsonl", user("u1", deleted=True))
    assert load_dataset(tmp_path).dataset.users["deleted"].to_list() == [True]


def test_values_are_normalised_in_the_frames(tmp_path: Path) -> None:
    deal = {
        "source": "hubspot",
        "id": "d1",
        "modified_at": "1709287200000",
        "stage": "won",
        "created_at": "2024-03-01T12:00:00+02:00",
        "close_date": "2024-03-05",
        "is_closed": True,
        "is_won": True,
        "amount": "1,200.50",
        "probability": 100,
        "forecast_category": "Closed",
    }
    write_jsonl(tmp_path / "opportunities.jsonl", deal)
    row = load_dataset(tmp_path).dataset.opportunities.row(0, named=True)
    assert row["amount"] == 1200.50
    assert row["probability"] == 1.0
    assert row["created_at"] == datetime(2024, 3, 1, 10, 0, tzinfo=UTC)  # 12:00+02:00
    assert row["modified_at"] == datetime(2024, 3, 1, 10, 0, tzinfo=UTC)  # 1709287200 s
    assert row["forecast_category"] == "closed"


def test_org_id_is_the_single_source_else_org(tmp_path: Path) -> None:
    write_jsonl(tmp_path / "users.jsonl", user("u1"))
    assert load_dataset(tmp_path).dataset.org_id == "salesforce"
    assert load_dataset(tmp_path, org_id="acme").dataset.org_id == "acme"
    write_jsonl(
        tmp_path / "accounts.jsonl",
        {
            "source": "hubspot",
            "id": "c1",
            "modified_at": 0,
            "name": "C",
            "created_at": "2024-01-01T00:00:00Z",
        },
    )
    assert load_dataset(tmp_path).dataset.org_id == "org"


def test_leads_written_with_source_as_lead_source_take_the_crm_of_the_other_files(tmp_path: Path) -> None:
    write_jsonl(tmp_path / "users.jsonl", user("u1"))
    write_jsonl(
        tmp_path / "leads.jsonl",
        {
            "source": "Web",
            "id": "l1",
            "modified_at": "2024-01-01T00:00:00Z",
            "created_at": "2024-01-01T00:00:00Z",
        },
    )
    result = load_dataset(tmp_path)
    assert result.dataset.leads.select("source", "lead_source").row(0) == ("salesforce", "Web")


def test_leads_alone_with_source_text_are_quarantined(tmp_path: Path) -> None:
    write_jsonl(
        tmp_path / "leads.jsonl",
        {
            "source": "Web",
            "id": "l1",
            "modified_at": "2024-01-01T00:00:00Z",
            "created_at": "2024-01-01T00:00:00Z",
        },
    )
    (quarantined,) = load_dataset(tmp_path).quarantined
    assert (quarantined.file, quarantined.line, quarantined.record_id) == ("leads.jsonl", 1, "l1")
    assert quarantined.reason.startswith("source: source 'Web' is not a CRM")


def test_quota_owners_by_email_become_user_ids_and_bad_rows_are_quarantined(tmp_path: Path) -> None:
    write_jsonl(tmp_path / "users.jsonl", user("u1", email="Ann@Example.com"), user("u2"))
    (tmp_path / "quotas.csv").write_text(
        "owner,period_start,period_end,amount\n"
        'ann@example.com,2024-01-01,2024-03-31,"100,000"\n'  # line 2: email, any case
        "u2,2024-01-01,2024-03-31,50000\n"  # line 3: an id
        "u2,2024-01-01,2024-03-31,lots\n"  # line 4: bad amount
        "nobody@example.com,2024-01-01,2024-03-31,1\n"  # line 5: unknown owner
    )
    result = load_dataset(tmp_path)
    assert result.dataset.quotas.select("owner", "amount").rows() == [("u1", 100000.0), ("u2", 50000.0)]
    bad_amount, unknown = result.quarantined
    assert (bad_amount.file, bad_amount.line) == ("quotas.csv", 4)
    assert bad_amount.reason.startswith("amount: not an amount: 'lots'")
    assert bad_amount.raw == "u2,2024-01-01,2024-03-31,lots"
    assert (unknown.file, unknown.line) == ("quotas.csv", 5)
    assert (
        unknown.reason == "owner: 'nobody@example.com' is neither a user id nor a user email in users.jsonl"
    )


def test_spend_rows_load_and_a_bad_date_is_quarantined_by_column(tmp_path: Path) -> None:
    (tmp_path / "spend.csv").write_text(
        "period_start,period_end,amount,category\n"
        "2024-01-01,2024-01-31,$12 000,marketing\n"
        "2024-02-01,2024-02-30,5000,\n"  # February 30th
        "2024-03-01,2024-03-31,7000,\n"
    )
    result = load_dataset(tmp_path)
    assert result.dataset.spend.select("amount", "category").rows() == [
        (12000.0, "marketing"),
        (7000.0, None),
    ]
    (bad,) = result.quarantined
    assert (bad.file, bad.line) == ("spend.csv", 3)
    assert bad.reason.startswith("period_end:")


def test_a_csv_without_a_required_column_is_quarantined_at_its_header(tmp_path: Path) -> None:
    (tmp_path / "quotas.csv").write_text("owner,start,end,amount\nu1,2024-01-01,2024-03-31,5\n")
    result = load_dataset(tmp_path)
    (header,) = result.quarantined
    assert (header.file, header.line) == ("quotas.csv", 1)
    assert header.reason.startswith("missing column(s) period_start, period_end")
    assert result.dataset.quotas.height == 0


def test_duplicates_resolve_the_same_across_chunk_boundaries(tmp_path: Path, monkeypatch) -> None:
    # Chunks of 2 records: every duplicate pair below straddles a chunk boundary.
    import kpi_engine.jsonl_reading as jsonl_reading

    monkeypatch.setattr(jsonl_reading, "_CHUNK_RECORDS", 2)
    write_jsonl(
        tmp_path / "users.jsonl",
        user("u1", name="u1 v1", modified_at="2024-01-01T00:00:00Z"),  # line 1
        user("u2", name="u2 v3 (latest)", modified_at="2024-03-01T00:00:00Z"),  # line 2
        user("u3", name="u3 only", modified_at="2024-01-01T00:00:00Z"),  # line 3
        user("u1", name="u1 v3 (latest)", modified_at="2024-03-01T00:00:00Z"),  # line 4
        user("u2", name="u2 v2 (older, later line)", modified_at="2024-02-01T00:00:00Z"),  # line 5
        user("u1", name="u1 v2 (older, later line)", modified_at="2024-02-01T00:00:00Z"),  # line 6
        user("u3", name="u3 same time, later line", modified_at="2024-01-01T00:00:00Z"),  # line 7
    )
    result = load_dataset(tmp_path)
    users = result.dataset.users
    # Ids keep the order of their first line (u1, u2, u3); each holds its latest version; u3's tie goes
    # to the later line. 7 lines, 3 ids: 4 superseded.
    assert users["id"].to_list() == ["u1", "u2", "u3"]
    assert users["name"].to_list() == ["u1 v3 (latest)", "u2 v3 (latest)", "u3 same time, later line"]
    assert result.duplicates == {"users.jsonl": 4}
    assert result.loaded["users"] == 3
