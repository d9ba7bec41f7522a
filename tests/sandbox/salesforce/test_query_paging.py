"""query / query_more / query_all / queryAll through simple-salesforce, with paging edges."""

from __future__ import annotations

import pytest
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import SalesforceMalformedRequest

from sandbox.runtime import RunningSandbox
from sandbox.salesforce.store import Store


@pytest.fixture(scope="module")
def accounts(sandbox: RunningSandbox) -> list[str]:
    """2,001 accounts, all sharing one SystemModstamp (a bulk load in one millisecond)."""
    store: Store = sandbox.store
    stamp = store.clock()
    return store.load("Account", [{"Name": f"Acct {i:05d}", "SystemModstamp": stamp, "CreatedDate": stamp}
                                  for i in range(2001)])


def test_2001_rows_page_at_2000_with_next_records_url(sf: Salesforce, accounts: list[str]) -> None:
    first = sf.query("SELECT Id, Name FROM Account")
    # 2,001 rows, default batch 2,000: one full page, then a page of 1
    assert first["totalSize"] == 2001 and first["done"] is False and len(first["records"]) == 2000
    assert first["nextRecordsUrl"].startswith("/services/data/v59.0/query/01g")
    assert first["nextRecordsUrl"].endswith("-2000")
    second = sf.query_more(first["nextRecordsUrl"], identifier_is_url=True)
    assert second["done"] is True and len(second["records"]) == 1 and "nextRecordsUrl" not in second
    assert first["records"][0]["attributes"]["type"] == "Account"


def test_exactly_2000_rows_is_one_page(sf: Salesforce, accounts: list[str]) -> None:
    page = sf.query("SELECT Id FROM Account ORDER BY Name LIMIT 2000")
    assert page["done"] is True and len(page["records"]) == 2000 and "nextRecordsUrl" not in page


def test_equal_modstamps_across_page_boundary_keep_every_row_once(sf: Salesforce, accounts: list[str],
                                                                  sandbox: RunningSandbox) -> None:
    stamps = {r["SystemModstamp"] for r in sf.query_all_iter("SELECT SystemModstamp FROM Account WHERE "
                                                             "Name LIKE 'Acct%'")}
    assert len(stamps) == 1  # all 2,001 share one stamp
    ids = [r["Id"] for r in sf.query_all_iter(
        "SELECT Id FROM Account WHERE Name LIKE 'Acct%' ORDER BY SystemModstamp, Id",
        headers={"Sforce-Query-Options": "batchSize=200"})]
    assert len(ids) == 2001 and len(set(ids)) == 2001 and ids == sorted(ids)
    # 2,001 rows at 200 per page = 11 calls (1 query + 10 query_more)
    assert sandbox.ledger.count("query_more") >= 10


def test_query_all_sees_deleted_rows(sf: Salesforce, sandbox: RunningSandbox, accounts: list[str]) -> None:
    victim = accounts[0]
    sf.Account.delete(victim)
    live = sf.query(f"SELECT Id FROM Account WHERE Id = '{victim}'")
    assert live["totalSize"] == 0
    every = sf.query_all(f"SELECT Id, IsDeleted FROM Account WHERE Id = '{victim}'", include_deleted=True)
    assert every["records"][0]["IsDeleted"] is True
    sandbox.store.undelete("Account", victim)


def test_count_and_relationship_fields(sf: Salesforce, accounts: list[str]) -> None:
    assert sf.query("SELECT COUNT() FROM Account WHERE Name = 'Acct 00007'")["totalSize"] == 1
    rec = sf.query("SELECT Name, Owner.Email FROM Account WHERE Name = 'acct 00007'")["records"][0]
    # the accounts were loaded without an owner: the API user owns them
    assert rec["Owner"]["Email"] == "integration@crm-kpi.sandbox"
    assert rec["Owner"]["attributes"]["type"] == "User"


def test_query_errors_have_real_shapes(sf: Salesforce) -> None:
    with pytest.raises(SalesforceMalformedRequest) as bad:
        sf.query("SELECT Id FRM Account")
    assert bad.value.content[0]["errorCode"] == "MALFORMED_QUERY"
    assert "ERROR at Row:1:Column:11" in bad.value.content[0]["message"]
    with pytest.raises(SalesforceMalformedRequest) as field:
        sf.query("SELECT Nope__c FROM Account")
    assert field.value.content[0]["errorCode"] == "INVALID_FIELD"
    assert "No such column 'Nope__c' on entity 'Account'" in field.value.content[0]["message"]
    with pytest.raises(SalesforceMalformedRequest) as locator:
        sf.query_more("01gXXXXXXXXXXXXXXX-2000")
    assert locator.value.content[0]["errorCode"] == "INVALID_QUERY_LOCATOR"
