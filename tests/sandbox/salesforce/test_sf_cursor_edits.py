"""A query cursor against records changed between its pages, and column-wise loading (`load_columns`)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from simple_salesforce import Salesforce

from sandbox.runtime import RunningSandbox
from sandbox.salesforce.org import render_org

PAGE = {"Sforce-Query-Options": "batchSize=200"}


@pytest.fixture(scope="module")
def cursor_accounts(sandbox: RunningSandbox) -> list[str]:
    return sandbox.store.load("Account", [{"Name": f"Cursor {i:03d}"} for i in range(450)])


def test_later_pages_show_rows_as_they_were_when_the_query_ran(sf: Salesforce, sandbox: RunningSandbox,
                                                                cursor_accounts: list[str]) -> None:
    soql = "SELECT Id, Name FROM Account WHERE Name LIKE 'Cursor%' ORDER BY Name"
    first = sf.query(soql, headers=PAGE)
    # 450 rows at 200 a page: rows 0-199 now, 200-399 and 400-449 later
    assert first["totalSize"] == 450 and len(first["records"]) == 200
    renamed, deleted = cursor_accounts[300], cursor_accounts[420]
    sandbox.store.update("Account", renamed, {"Name": "Cursor renamed"})
    sandbox.store.delete("Account", deleted)
    second = sf.query_more(first["nextRecordsUrl"], identifier_is_url=True, headers=PAGE)
    third = sf.query_more(second["nextRecordsUrl"], identifier_is_url=True, headers=PAGE)
    later = {r["Id"]: r["Name"] for r in second["records"] + third["records"]}
    # The cursor holds the result of the query: the renamed row keeps its old name, the deleted one is there.
    assert len(later) == 250 and later[renamed] == "Cursor 300" and deleted in later
    assert third["done"] is True and third["totalSize"] == 450
    # A new query sees both changes.
    again = {r["Id"]: r["Name"] for r in sf.query_all(soql)["records"]}
    assert len(again) == 449 and deleted not in again and again[renamed] == "Cursor renamed"


FIXED = datetime(2025, 1, 1, tzinfo=UTC)
ROWS = {  # one column per key; None is "not given"
    "Opportunity": {"Name": ["A", "B"], "StageName": ["Closed Won", "Prospecting"],
                    "CloseDate": [date(2025, 1, 2), date(2025, 2, 2)], "Amount": [100.0, None],
                    "CurrencyIsoCode": [None, "EUR"],
                    "SystemModstamp": [None, datetime(2024, 5, 1, tzinfo=UTC)]},
    "Task": {"Subject": ["Call", "Email"], "Status": ["Completed", "Not Started"], "OwnerId": [None, None]},
}


def _given(record: dict) -> dict:
    return {key: value for key, value in record.items() if value is not None}


@pytest.mark.parametrize("name", sorted(ROWS))
def test_load_columns_makes_the_records_load_makes(name: str) -> None:
    by_rows, by_columns = render_org(None, clock=lambda: FIXED), render_org(None, clock=lambda: FIXED)
    columns = dict(ROWS[name])
    # Same ids in both stores, so the records can be compared whole.
    columns["Id"] = [by_rows.ids.new(by_rows.objects[name].key_prefix) for _ in columns["Subject" if name == "Task"
                                                                                      else "Name"]]
    rows = [_given(dict(zip(columns, values, strict=False))) for values in zip(*columns.values(), strict=False)]
    by_rows.load(name, rows)
    by_columns.load_columns(name, columns)
    loaded = {key: _given(record) for key, record in by_columns.tables[name].items()}
    assert loaded == {key: _given(record) for key, record in by_rows.tables[name].items()}
    first, second = (by_columns.tables[name][i] for i in columns["Id"])
    if name == "Opportunity":
        # Derived on load: a won stage closes the deal; ExpectedRevenue = 100 * 100% = 100.
        assert first["IsWon"] is True and first["ExpectedRevenue"] == 100.0
        # A null never replaces a default (the corporate currency); a missing stamp is the creation time.
        assert first["CurrencyIsoCode"] == "USD" and second["CurrencyIsoCode"] == "EUR"
        assert first["SystemModstamp"] == FIXED
        assert second["LastModifiedDate"] == datetime(2024, 5, 1, tzinfo=UTC)
    else:
        assert first["IsClosed"] is True and second["IsClosed"] is False  # Status Completed closes a task
