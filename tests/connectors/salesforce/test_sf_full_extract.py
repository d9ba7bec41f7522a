"""A full extract of a generated org equals the org, record by record (deletes included), at the minimum
number of calls; then edits, additions and deletes come back incrementally, and nothing else does."""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import date, timedelta

import polars as pl
import pytest
from sf_reading import by_id, read

from sandbox.generator import generate_org
from sandbox.runtime import RunningSandbox, Sandbox

INCREMENTAL = [
    "User",
    "Account",
    "Lead",
    "Opportunity",
    "OpportunityHistory",
    "Task",
    "Event",
    "OpportunityLineItem",
]


@pytest.fixture(scope="module")
def org():
    return generate_org("tiny", seed=3, as_of=date(2025, 6, 30))


@pytest.fixture(scope="module")
def sb(org, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningSandbox]:
    with Sandbox(crm="salesforce", org=org, state_dir=tmp_path_factory.mktemp("sf")) as running:
        yield running


def _rows(org, table: str) -> dict[str, dict]:
    return {r["id"]: r for r in org.tables[table].to_dicts()}


def test_full_extract_equals_the_org_at_minimum_calls(sb: RunningSandbox, org, connector_for) -> None:
    connector = connector_for(sb)
    sb.ledger.reset()
    opportunities = by_id(read(connector, "Opportunity")[0])
    expected = _rows(org, "opportunities")
    assert set(opportunities) == set(expected)
    for oid, want in expected.items():
        got = opportunities[oid]
        assert (
            got.stage,
            got.owner_id,
            got.account_id,
            got.currency,
            got.is_won,
            got.is_closed,
            got.close_date,
            got.deleted,
        ) == (
            want["stage"],
            want["owner_id"],
            want["account_id"],
            want["currency"],
            want["is_won"],
            want["is_closed"],
            want["close_date"],
            bool(want["deleted"]),
        )
        assert got.amount_original == pytest.approx(want["amount_original"])
        # the generator derives the original from USD at the currency's rate, rounded to cents
        assert got.amount == pytest.approx(want["amount"], abs=0.01 * max(1.0, got.amount / 1000))
        assert got.probability == pytest.approx(round(want["probability"] * 100) / 100)
        assert got.type == want["type"] and got.contract_months == want["contract_months"]
    # queryAll of Opportunity (1 page) + the CurrencyType and DatedConversionRate reads for conversion,
    # one global describe and one describe per object read
    assert sb.ledger.by_label() == {
        "oauth_token": 1,
        "sobjects": 1,
        "describe": 3,
        "query": 2,
        "query_all": 1,
    }

    activities = by_id(read(connector, "Task")[0] + read(connector, "Event")[0])
    acts = _rows(org, "activities")
    rendered = {i: a for i, a in acts.items() if a["kind"] != "note"}
    assert set(activities) == set(rendered)
    deleted = {i for i, a in rendered.items() if a["deleted"]}
    assert deleted and {i for i, a in activities.items() if a.deleted} == deleted
    for aid, want in rendered.items():
        got = activities[aid]
        assert (got.kind, got.owner_id, got.opportunity_id, got.lead_id) == (
            want["kind"],
            want["owner_id"],
            want["opportunity_id"],
            want["lead_id"],
        )
        if want["kind"] == "call":
            assert (got.outcome, got.direction) == (want["outcome"], want["direction"] or "outbound")
        if want["kind"] in ("call", "email", "meeting"):
            assert got.occurred_at == want["occurred_at"].replace(
                microsecond=want["occurred_at"].microsecond // 1000 * 1000
            )
        if want["kind"] != "meeting":
            assert got.completed == want["completed"]

    for stream, table, fields in (
        ("Account", "accounts", ("name", "owner_id", "region", "industry")),
        ("Lead", "leads", ("owner_id", "status", "converted_opportunity_id")),
        (
            "OpportunityLineItem",
            "line_items",
            ("opportunity_id", "product_id", "product_name", "product_family"),
        ),
        ("OpportunityHistory", "stage_changes", ("opportunity_id", "stage")),
    ):
        got = by_id(read(connector, stream)[0])
        want = _rows(org, table)
        assert set(got) == set(want), stream
        for rid, row in want.items():
            assert tuple(getattr(got[rid], f) for f in fields) == tuple(row[f] for f in fields), (stream, rid)

    users = by_id(read(connector, "User")[0])
    want_users = _rows(org, "users")
    reps = {uid for uid, u in users.items() if not u.deleted}
    assert reps == set(want_users)  # the integration user is a tombstone, never a rep
    integration = set(users) - set(want_users)
    assert len(integration) == 1 and users[integration.pop()].deleted
    for uid, want in want_users.items():
        assert (users[uid].team, users[uid].manager_id, users[uid].started_at, users[uid].ended_at) == (
            want["team"],
            want["manager_id"],
            want["started_at"],
            want["ended_at"],
        )


def test_queries_per_object_are_ceil_rows_over_2000(sb: RunningSandbox, connector_for) -> None:
    """2,000 rows fit one page and the 2,001st needs a second: the minimum the API allows."""
    store = sb.store
    account = next(iter(store.rows("Account")))["Id"]
    connector = connector_for(sb)
    for stream, target in (("Lead", 2000), ("Lead", 2001)):
        have = sum(1 for _ in store.rows(stream, include_deleted=True))
        store.load(
            stream,
            [
                {
                    "LastName": f"L{i}",
                    "Company": "Bulk Co",
                    "Status": "Open - Not Contacted",
                    "OwnerId": store.api_user_id,
                }
                for i in range(target - have)
            ],
        )
        sb.ledger.reset()
        records, _, _ = read(connector, stream)
        assert len(records) == target
        calls = sb.ledger.count("query_all") + sb.ledger.count("query_all_more")
        assert calls == math.ceil(target / 2000)
    assert account


def test_incremental_after_edits_additions_and_deletes(sb: RunningSandbox, org, connector_for) -> None:
    connector = connector_for(sb, lookback_seconds=0)
    cursors = {name: read(connector, name)[1] for name in INCREMENTAL}
    store = sb.store
    opp = sorted(store.rows("Opportunity"), key=lambda r: r["Id"])
    edited, removed = opp[0]["Id"], opp[1]["Id"]
    store.update("Opportunity", edited, {"Amount": 1234.5})
    store.delete("Opportunity", removed)
    added = store.create(
        "Opportunity",
        {
            "Name": "New one",
            "StageName": opp[0]["StageName"],
            "CloseDate": (date.today() + timedelta(days=30)).isoformat(),
            "CurrencyIsoCode": "USD",
            "Amount": 10.0,
        },
    )
    task = next(iter(store.rows("Task")))["Id"]
    store.delete("Task", task)

    sb.ledger.reset()
    changed = {name: read(connector, name, cursors[name]) for name in INCREMENTAL}
    assert sb.ledger.count("query_all") == len(INCREMENTAL)  # one query per object, nothing more
    opps = by_id(changed["Opportunity"][0])
    assert set(opps) == {edited, removed, added}
    assert opps[edited].amount_original == 1234.5 and not opps[edited].deleted
    assert opps[removed].deleted and opps[added].name == "New one"
    line_items = changed["OpportunityLineItem"][0]
    assert all(item.deleted and item.opportunity_id == removed for item in line_items)
    assert len(line_items) == sum(
        1 for r in store.rows("OpportunityLineItem", include_deleted=True) if r["OpportunityId"] == removed
    )
    assert [t.id for t in changed["Task"][0]] == [task] and changed["Task"][0][0].deleted
    history = changed["OpportunityHistory"][0]
    assert {h.opportunity_id for h in history} == {edited, added}  # a history row per tracked change
    for name in ("User", "Account", "Lead", "Event"):
        assert changed[name][0] == [], name

    sb.ledger.reset()
    again = {name: read(connector, name, changed[name][1])[0] for name in INCREMENTAL}
    assert all(records == [] for records in again.values())
    assert sb.ledger.by_label() == {"query_all": len(INCREMENTAL)}


def test_look_back_rereads_the_window_but_delivers_nothing_twice(sb: RunningSandbox, connector_for) -> None:
    connector = connector_for(sb, lookback_seconds=3600)
    _, cursor, _ = read(connector, "Account")
    account = next(iter(sb.store.rows("Account")))["Id"]
    sb.store.update("Account", account, {"Name": "Renamed Ltd"})
    records, cursor, _ = read(connector, "Account", cursor)
    assert [(r.id, r.name) for r in records] == [(account, "Renamed Ltd")]
    records, cursor, _ = read(connector, "Account", cursor)
    assert records == []
    assert cursor is not None and account in cursor["seen"]
    assert cursor["modstamp"] >= (date.today() - timedelta(days=1)).isoformat()
    assert pl  # polars is what the generator's org is made of


def test_an_object_wider_than_one_query_is_read_in_column_groups_joined_on_id(
    sb: RunningSandbox, connector_for
) -> None:
    """With room for a few fields per query, Opportunity is read as column groups; nothing is dropped."""
    whole = connector_for(sb)
    narrow = connector_for(sb, max_query_chars=520, page_size=200)
    groups = narrow.max_query_chars
    assert groups == 520
    from connectors.salesforce.fields import column_groups

    split = column_groups(narrow.selected_fields(narrow.streams()[5]), 520)
    assert len(split) >= 2 and all(g[:3] == ["Id", "IsDeleted", "SystemModstamp"] for g in split)
    expected = sorted(read(whole, "Opportunity")[0], key=lambda r: r.id)
    sb.ledger.reset()
    got = sorted(read(narrow, "Opportunity")[0], key=lambda r: r.id)
    assert got == expected
    # every group after the first costs one query per page of the first
    assert sb.ledger.count("query_all") == len(split)


def test_a_mapped_field_the_user_cannot_read_stops_with_the_key_named(
    sb: RunningSandbox, connector_for
) -> None:
    from connectors.errors import ConfigurationError

    connector = connector_for(sb, field_mapping={"account.region": "Territory__c"})
    sb.ledger.reset()
    with pytest.raises(ConfigurationError, match="field_mapping 'account.region' = 'Territory__c'"):
        read(connector, "Account")
    assert sb.ledger.count("query_all") == 0  # stopped before reading anything
