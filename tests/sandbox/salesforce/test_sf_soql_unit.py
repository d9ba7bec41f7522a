"""The SOQL parser and evaluator on their own: what the subset accepts and how it refuses the rest."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from sandbox.salesforce.errors import ApiError
from sandbox.salesforce.org import render_org
from sandbox.salesforce.soql import parse
from sandbox.salesforce.soql_eval import execute
from sandbox.salesforce.store import Store


@pytest.mark.parametrize("soql", [
    "SELECT Id FROM Account",
    "select id, owner.email from opportunity where amount > 10 and closedate >= 2024-01-01",
    "SELECT Id FROM Opportunity WHERE (A = 1 OR B = 2) AND NOT C = 'x' ORDER BY D DESC NULLS LAST, Id LIMIT 5 OFFSET 2",
    "SELECT COUNT() FROM Lead WHERE Status NOT IN ('a', 'b') AND Name LIKE 'J\\'s%'",
    "SELECT Id FROM Task WHERE SystemModstamp > 2024-01-31T10:00:00.000+0000 AND ActivityDate = LAST_N_DAYS:30",
])
def test_parser_accepts(soql: str) -> None:
    assert parse(soql).sobject.lower() in ("account", "opportunity", "lead", "task")


@pytest.mark.parametrize("soql, column", [
    ("SELECT Id FRM Account", 11),
    ("SELECT Id FROM Account WHERE A = 1 AND B = 2 OR C = 3", 46),  # AND/OR mixed without parentheses
    ("SELECT Id FROM Account GROUP BY Name", 24),
    ("SELECT Id FROM Account WHERE", 29),
])
def test_parser_rejects_with_position(soql: str, column: int) -> None:
    with pytest.raises(ApiError) as error:
        parse(soql)
    assert error.value.code == "MALFORMED_QUERY"
    assert f"ERROR at Row:1:Column:{column}" in error.value.message


@pytest.fixture
def store() -> Store:
    s = render_org(None, clock=lambda: datetime(2025, 6, 15, 12, 0, tzinfo=UTC))
    for name, amount, close in [("Alpha", 100.0, "2025-06-14"), ("beta", None, "2025-06-01"),
                                ("Gamma", 300.0, "2025-01-10")]:
        s.create("Opportunity", {"Name": name, "StageName": "Prospecting", "CloseDate": close, "Amount": amount})
    return s


def _names(store: Store, soql: str) -> list[str]:
    return [r["Name"] for r in execute(store, soql).rows]


def test_where_order_and_nulls(store: Store) -> None:
    # text compares case-insensitively: 'BETA' finds 'beta'
    assert _names(store, "SELECT Name FROM Opportunity WHERE Name = 'BETA'") == ["beta"]
    assert _names(store, "SELECT Name FROM Opportunity WHERE Amount = null") == ["beta"]
    # nulls first by default ascending; NULLS LAST moves beta to the end
    assert _names(store, "SELECT Name FROM Opportunity ORDER BY Amount") == ["beta", "Alpha", "Gamma"]
    assert _names(store, "SELECT Name FROM Opportunity ORDER BY Amount DESC NULLS LAST") == ["Gamma", "Alpha",
                                                                                             "beta"]
    assert _names(store, "SELECT Name FROM Opportunity WHERE Amount > 150 OR Name LIKE 'al%' ORDER BY Name") == [
        "Alpha", "Gamma"]


def test_date_literals_relative_to_the_clock(store: Store) -> None:
    # today is 2025-06-15: LAST_N_DAYS:7 covers 2025-06-08..2025-06-15, THIS_MONTH June 2025
    assert _names(store, "SELECT Name FROM Opportunity WHERE CloseDate = LAST_N_DAYS:7") == ["Alpha"]
    assert _names(store, "SELECT Name FROM Opportunity WHERE CloseDate = THIS_MONTH ORDER BY Name") == [
        "Alpha", "beta"]
    assert _names(store, "SELECT Name FROM Opportunity WHERE CloseDate < 2025-02-01") == ["Gamma"]


def test_type_mismatch_is_invalid_field(store: Store) -> None:
    with pytest.raises(ApiError) as error:
        execute(store, "SELECT Id FROM Opportunity WHERE CloseDate > '2025-01-01'")
    assert error.value.code == "INVALID_FIELD" and "must be of type date" in error.value.message
    with pytest.raises(ApiError) as unknown:
        execute(store, "SELECT Id FROM Nothing__c")
    assert unknown.value.code == "INVALID_TYPE"
    assert date(2025, 6, 15) == store.clock().date()
