"""SOQL dateTime literals as real clients write them: 0-9 fractional digits, `Z` or an `+hh:mm` offset,
compared at the millisecond Salesforce keeps (a finer literal is cut to its millisecond)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from simple_salesforce import Salesforce

from sandbox.runtime import RunningSandbox
from sandbox.salesforce.store import Store

LAST_MS = datetime(2025, 6, 29, 23, 59, 59, 999000, tzinfo=UTC)
NEXT_DAY = datetime(2025, 6, 30, 0, 0, 0, tzinfo=UTC)
WHOLE_SECOND = datetime(2025, 6, 29, 23, 59, 59, tzinfo=UTC)


@pytest.fixture(scope="module")
def stamped(sandbox: RunningSandbox) -> None:
    store: Store = sandbox.store
    store.load("Account", [{"Name": name, "SystemModstamp": stamp, "CreatedDate": stamp}
                           for name, stamp in [("whole", WHOLE_SECOND), ("last", LAST_MS), ("next", NEXT_DAY)]])


def _names(sf: Salesforce, where: str) -> list[str]:
    rows = sf.query_all(f"SELECT Name FROM Account WHERE {where} ORDER BY SystemModstamp")["records"]
    return [r["Name"] for r in rows]


@pytest.mark.parametrize("literal, at_or_after", [
    # no fraction: 23:59:59.000, so all three rows are at or after it
    ("2025-06-29T23:59:59Z", ["whole", "last", "next"]),
    ("2025-06-29T23:59:59.999Z", ["last", "next"]),
    # Python's isoformat(): six digits, the same millisecond
    ("2025-06-29T23:59:59.999000Z", ["last", "next"]),
    # nine digits are cut to .999, not rounded up to the next second
    ("2025-06-29T23:59:59.999999999Z", ["last", "next"]),
    ("2025-06-29T23:59:59.9Z", ["last", "next"]),  # .900
    ("2025-06-29T23:59:59.0Z", ["whole", "last", "next"]),
    # the same instants written with an offset
    ("2025-06-30T01:59:59.999+02:00", ["last", "next"]),
    ("2025-06-29T18:59:59-05:00", ["whole", "last", "next"]),
    ("2025-06-30T02:00:00.000000+02:00", ["next"]),
])
def test_datetime_literal_forms(sf: Salesforce, stamped: None, literal: str, at_or_after: list[str]) -> None:
    assert _names(sf, f"SystemModstamp >= {literal} AND Name IN ('whole', 'last', 'next')") == at_or_after


def test_equality_at_the_millisecond(sf: Salesforce, stamped: None) -> None:
    assert _names(sf, "SystemModstamp = 2025-06-29T23:59:59.999000Z") == ["last"]
    assert _names(sf, "SystemModstamp = 2025-06-30T01:59:59.999+02:00") == ["last"]
    # strictly after .999000 is only the next day's row: .999999 is the same millisecond
    assert _names(sf, "SystemModstamp > 2025-06-29T23:59:59.999999Z AND Name IN ('whole', 'last', 'next')") == [
        "next"]


@pytest.mark.parametrize("literal", ["2025-06-29T23:59:59.1234567890Z", "2025-06-29T23:59:59.Z",
                                     "2025-06-29T23:59Z"])
def test_malformed_datetime_literal(sf: Salesforce, stamped: None, literal: str) -> None:
    from simple_salesforce.exceptions import SalesforceMalformedRequest
    with pytest.raises(SalesforceMalformedRequest) as error:
        sf.query(f"SELECT Name FROM Account WHERE SystemModstamp >= {literal}")
    assert error.value.content[0]["errorCode"] == "MALFORMED_QUERY"
