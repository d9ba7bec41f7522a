"""Page boundaries inside one SystemModstamp, expired sessions, 429/503 storms, the daily limit."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sf_reading import read

from connectors.errors import DailyLimitReached
from sandbox.runtime import RunningSandbox, Sandbox
from sandbox.salesforce.org import render_org

STAMP = datetime(2025, 3, 1, 12, 0, 0, 123000, tzinfo=UTC)


def _org_with_shared_stamp(rows: int = 500):
    """`rows` accounts loaded in one millisecond, as a bulk load leaves them, plus a few later ones."""
    store = render_org(None)
    store.load(
        "Account",
        [
            {
                "Name": f"Shared {i:03d}",
                "SystemModstamp": STAMP,
                "CreatedDate": STAMP,
                "LastModifiedDate": STAMP,
                "OwnerId": store.api_user_id,
            }
            for i in range(rows)
        ],
    )
    later = STAMP.replace(second=5)
    store.load(
        "Account",
        [
            {
                "Name": f"Later {i}",
                "SystemModstamp": later,
                "CreatedDate": later,
                "LastModifiedDate": later,
                "OwnerId": store.api_user_id,
            }
            for i in range(3)
        ],
    )
    return store


@pytest.fixture
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningSandbox]:
    with Sandbox(
        crm="salesforce", org=_org_with_shared_stamp(), state_dir=tmp_path_factory.mktemp("sf")
    ) as running:
        yield running


@pytest.mark.parametrize("lookback", [0, 300])
def test_500_rows_sharing_a_stamp_across_a_page_boundary_resume_exactly(
    shared: RunningSandbox, connector_for, lookback: int
) -> None:
    """Killed after the first page (200 of 500 rows with one stamp): the resumed run delivers the other 303,
    none twice, none skipped."""
    connector = connector_for(shared, page_size=200, lookback_seconds=lookback)
    first = next(iter(connector.extract(connector.streams()[3], None)))  # Account
    assert first.stream == "Account" and len(first.records) == 200
    assert first.cursor is not None and first.cursor["modstamp"] == "2025-03-01T12:00:00.123Z"
    rest, cursor, batches = read(connector, "Account", first.cursor)
    ids = [r.id for r in first.records] + [r.id for r in rest]
    assert len(ids) == len(set(ids)) == 503
    assert {r["Id"] for r in shared.store.rows("Account")} == set(ids)
    # with a look-back the resumed read starts 300 s before the mark: its first page is the 200 rows
    # already delivered, recognised by the cursor's seen versions
    assert [len(b.records) for b in batches] == ([200, 103] if lookback == 0 else [0, 200, 103])
    again, _, _ = read(connector, "Account", cursor)
    assert again == []


def test_session_expiry_mid_run_refreshes_once_and_loses_nothing(
    tmp_path_factory: pytest.TempPathFactory, connector_for
) -> None:
    with Sandbox(
        crm="salesforce",
        org=_org_with_shared_stamp(),
        faults="expire@after=3",
        state_dir=tmp_path_factory.mktemp("sf"),
    ) as sb:
        connector = connector_for(sb, page_size=200)
        records, _, _ = read(connector, "Account")
        assert len({r.id for r in records}) == 503
        assert sb.ledger.count("oauth_token") == 2  # the first login and one refresh
        assert sb.ledger.count(status=401) == 1


def test_storms_of_429_and_503_are_survived_with_every_record(
    tmp_path_factory: pytest.TempPathFactory, connector_for
) -> None:
    with Sandbox(
        crm="salesforce",
        org=_org_with_shared_stamp(),
        seed=11,
        faults="429@rate=0.2,retry_after=0;503@rate=0.2;drop@label=query_all_more,calls=2",
        state_dir=tmp_path_factory.mktemp("sf"),
    ) as sb:
        connector = connector_for(sb, page_size=200)
        records, _, _ = read(connector, "Account")
        assert sorted(r.id for r in records) == sorted(r["Id"] for r in sb.store.rows("Account"))
        fired = {f.kind for f in sb.faults.fired()}
        assert {"429", "503", "drop"} <= fired
        assert connector.usage.calls == sb.ledger.count() - sb.ledger.count("oauth_token")


def test_daily_limit_mid_run_stops_with_the_cursor_saved_and_resumes(
    tmp_path_factory: pytest.TempPathFactory, connector_for
) -> None:
    """Salesforce says the org's allocation is spent (403 TotalRequests) on the third page: the run stops
    with two pages' cursor, and the next run resumes from it and delivers exactly the rest."""
    with Sandbox(
        crm="salesforce",
        org=_org_with_shared_stamp(),
        faults="daily@label=query_all_more,calls=2",
        state_dir=tmp_path_factory.mktemp("sf"),
    ) as sb:
        connector = connector_for(sb, page_size=200, lookback_seconds=0)
        delivered: list[str] = []
        cursor = None
        with pytest.raises(DailyLimitReached, match="resumes on the next run"):
            for batch in connector.extract(connector.streams()[3], None):
                delivered += [r.id for r in batch.records]
                cursor = batch.cursor
        assert len(delivered) == 400 and sb.ledger.count(status=403) == 1  # never retried
        sb.ledger.reset()
        rest, _, _ = read(connector, "Account", cursor)
        assert sorted(delivered + [r.id for r in rest]) == sorted(r["Id"] for r in sb.store.rows("Account"))
        assert sb.ledger.by_label() == {"query_all": 1}


def test_our_budget_share_stops_before_the_org_runs_dry(
    tmp_path_factory: pytest.TempPathFactory, connector_for
) -> None:
    from connectors.errors import BudgetExhausted

    with Sandbox(
        crm="salesforce",
        org=_org_with_shared_stamp(),
        limits="daily=10",
        state_dir=tmp_path_factory.mktemp("sf"),
    ) as sb:
        connector = connector_for(sb, page_size=200, api_budget_share=0.3)  # 3 of 10 calls
        with pytest.raises(BudgetExhausted, match="30%"):
            read(connector, "Account")
        assert sb.ledger.count(status=403) == 0  # we stopped; Salesforce never had to refuse
        assert connector.usage.calls == 3
