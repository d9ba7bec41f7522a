"""Nothing the loader leaves out passes silently: unknown fields and files, empty and unreadable files, a
directory in a file's place, repeated ids, byte-order marks and bytes that are not UTF-8."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from kpi_engine.loading import LoadError, load_dataset


def user(uid: str, **fields: Any) -> dict[str, Any]:
    return {"source": "salesforce", "id": uid, "modified_at": "2024-01-01T00:00:00Z", "name": uid} | fields


def deal(oid: str, **fields: Any) -> dict[str, Any]:
    return {
        "source": "salesforce",
        "id": oid,
        "modified_at": "2024-01-01T00:00:00Z",
        "stage": "Won",
        "created_at": "2024-01-05T00:00:00Z",
        "close_date": "2024-02-01",
        "is_closed": True,
        "is_won": True,
        "amount": 100.0,
    } | fields


def write_jsonl(path: Path, *records: dict[str, Any]) -> None:
    path.write_text("".join(json.dumps(r) + "\n" for r in records))


def messages(directory: Path) -> list[str]:
    return [w.text() for w in load_dataset(directory).warnings]


def test_an_unknown_field_is_a_warning_naming_it_and_the_closest_known_name(tmp_path: Path) -> None:
    write_jsonl(
        tmp_path / "opportunities.jsonl",
        deal("o1"),
        deal("o2", Amount=5.0, CloseDate="2024-02-01"),
        deal("o3", Amount=7.0),
    )
    result = load_dataset(tmp_path)
    assert result.dataset.opportunities.height == 3  # the records load; the unknown fields are ignored
    assert [w.text() for w in result.warnings] == [
        "opportunities.jsonl:2: unknown field 'Amount' in 2 record(s), ignored; did you mean 'amount'?",
        "opportunities.jsonl:2: unknown field 'CloseDate' in 1 record(s), ignored; did you mean "
        "'close_date'?",
    ]


def test_a_leads_crm_key_is_read_not_reported(tmp_path: Path) -> None:
    write_jsonl(
        tmp_path / "leads.jsonl",
        {
            "source": "Web",
            "crm": "hubspot",
            "id": "l1",
            "modified_at": "2024-01-01T00:00:00Z",
            "created_at": "2024-01-01T00:00:00Z",
        },
    )
    assert messages(tmp_path) == []


def test_files_the_loader_does_not_read_are_reported_with_the_name_they_likely_meant(tmp_path: Path) -> None:
    write_jsonl(tmp_path / "users.jsonl", user("u1"))
    write_jsonl(tmp_path / "Opportunities.jsonl", deal("o1"))
    (tmp_path / "quota.csv").write_text("owner,period_start,period_end,amount\nu1,2024-01-01,2024-04-01,10\n")
    (tmp_path / "notes.txt").write_text("hello")
    (tmp_path / ".hidden").write_text("editor state")  # dot files are nobody's input
    assert messages(tmp_path) == [
        "Opportunities.jsonl: not an input file, ignored; did you mean 'opportunities.jsonl'?",
        "notes.txt: not an input file, ignored; the input files are users.jsonl, accounts.jsonl, "
        "leads.jsonl, "
        "opportunities.jsonl, stage_changes.jsonl, stages.jsonl, activities.jsonl, line_items.jsonl, "
        "quotas.csv, "
        "spend.csv",
        "quota.csv: not an input file, ignored; did you mean 'quotas.csv'?",
    ]


def test_a_directory_with_only_misnamed_files_is_an_error_saying_the_right_name(tmp_path: Path) -> None:
    write_jsonl(tmp_path / "Opportunities.jsonl", deal("o1"))
    with pytest.raises(
        LoadError,
        match=r"none of the input files found \(Opportunities.jsonl; did you mean "
        r"'opportunities.jsonl'\?\)",
    ):
        load_dataset(tmp_path)


def test_empty_files_are_reported_and_their_tables_are_empty(tmp_path: Path) -> None:
    write_jsonl(tmp_path / "users.jsonl", user("u1"))
    (tmp_path / "opportunities.jsonl").write_bytes(b"")
    (tmp_path / "activities.jsonl").write_text("\n  \n")
    result = load_dataset(tmp_path)
    assert result.dataset.opportunities.height == result.dataset.activities.height == 0
    assert [w.text() for w in result.warnings] == [
        "opportunities.jsonl: empty file; its table is empty",
        "activities.jsonl: no records (only blank lines); its table is empty",
    ]


def test_a_directory_where_an_input_file_belongs_stops_the_load(tmp_path: Path) -> None:
    write_jsonl(tmp_path / "users.jsonl", user("u1"))
    (tmp_path / "opportunities.jsonl").mkdir()
    with pytest.raises(
        LoadError,
        match="opportunities.jsonl: is a directory where the input file opportunities.jsonl belongs",
    ):
        load_dataset(tmp_path)


def test_an_unreadable_input_file_stops_the_load(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_jsonl(tmp_path / "users.jsonl", user("u1"))
    real_open = Path.open

    def refuse(self: Path, *args: Any, **kwargs: Any) -> Any:
        if self.name == "users.jsonl":
            raise PermissionError(13, "Permission denied", str(self))
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", refuse)  # tests run as root, which chmod does not stop
    with pytest.raises(
        LoadError, match=r"users.jsonl: cannot be read \(permission denied\); check its permissions"
    ):
        load_dataset(tmp_path)


def test_repeated_ids_say_which_line_was_kept_and_which_were_dropped(tmp_path: Path) -> None:
    write_jsonl(
        tmp_path / "users.jsonl",
        user("u1", modified_at="2024-03-01T00:00:00Z"),  # line 1: latest, kept
        user("u1", modified_at="2024-02-01T00:00:00Z"),  # line 2: older, dropped
        user("u2"),  # line 3: tie, the later line wins
        user("u2"),  # line 4: kept
        user("u3"),
    )
    result = load_dataset(tmp_path)
    assert [w.text() for w in result.warnings] == [
        "users.jsonl: 2 id(s) appear more than once (2 record(s) superseded); kept the record with the "
        "latest "
        "modified_at, a tie going to the later line (id u1: kept line 1, dropped line(s) 2; id u2: kept "
        "line 4, "
        "dropped line(s) 3)"
    ]
    assert [(d.record_id, d.kept_line, d.dropped_lines) for d in result.duplicate_records] == [
        ("u1", 1, (2,)),
        ("u2", 4, (3,)),
    ]


def test_a_byte_order_mark_starts_a_jsonl_file_without_losing_its_first_record(tmp_path: Path) -> None:
    (tmp_path / "users.jsonl").write_bytes(b"\xef\xbb\xbf" + json.dumps(user("u1")).encode() + b"\n")
    result = load_dataset(tmp_path)
    assert result.dataset.users["id"].to_list() == ["u1"]
    assert result.quarantined == []


def test_bytes_that_are_not_utf8_are_reported_with_line_and_byte_offsets(tmp_path: Path) -> None:
    # BOM (3 bytes) + a blank line (1 byte); line 2 is {"id": "caf\xe9"}: the bad byte is the 12th of the
    # line (offset 11) and at offset 3 + 1 + 11 = 15 in the file.
    (tmp_path / "users.jsonl").write_bytes(
        b"\xef\xbb\xbf\n" + b'{"id": "caf\xe9"}\n' + json.dumps(user("u1")).encode()
    )
    result = load_dataset(tmp_path)
    (bad,) = result.quarantined
    assert (bad.file, bad.line) == ("users.jsonl", 2)
    assert (
        bad.reason
        == "not UTF-8: byte 0xE9 at byte offset 11 of the line, 15 of the file; save the file as UTF-8"
    )
    assert result.dataset.users["id"].to_list() == ["u1"]


def test_a_csv_row_that_is_not_utf8_is_quarantined_and_the_others_load(tmp_path: Path) -> None:
    write_jsonl(tmp_path / "users.jsonl", user("u1"))
    header = b"\xef\xbb\xbfperiod_start,period_end,amount,category\n"  # 3 + 40 bytes
    bad = b"2024-01-01,2024-02-01,10,caf\xe9\n"  # the bad byte at offset 28 of the line
    good = b"2024-02-01,2024-03-01,20,ads\n"
    (tmp_path / "spend.csv").write_bytes(header + bad + good)
    result = load_dataset(tmp_path)
    (row,) = result.quarantined
    assert (row.file, row.line) == ("spend.csv", 2)
    assert (
        row.reason
        == "not UTF-8: byte 0xE9 at byte offset 28 of the line, 71 of the file; save the file as UTF-8"
    )
    assert result.dataset.spend["amount"].to_list() == [20.0]


def test_an_unknown_csv_column_is_reported(tmp_path: Path) -> None:
    write_jsonl(tmp_path / "users.jsonl", user("u1"))
    (tmp_path / "spend.csv").write_text(
        "period_start,period_end,amount,Categroy\n2024-01-01,2024-02-01,10,ads\n"
    )
    assert messages(tmp_path) == ["spend.csv:1: unknown column 'Categroy', ignored; did you mean 'category'?"]
