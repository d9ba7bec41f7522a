"""Incremental extraction: edits, additions and archivals since the last run, through search restarted from
the last id (past the 10,000-result cap) and the archived lists, in ceil(changed / 200) search pages."""

from __future__ import annotations

import math
from datetime import date

import pytest
from hs_connect import connector_for, run

from sandbox.hubspot.portal import Portal

pytestmark = pytest.mark.slow

OBJECT_STREAMS = (
    "companies",
    "contacts",
    "deals",
    "calls",
    "emails",
    "meetings",
    "tasks",
    "notes",
    "line_items",
    "goal_targets",
)


def test_edits_additions_and_archivals_are_read_and_nothing_else(start_hubspot, tiny_org, monkeypatch):
    sb = start_hubspot(tiny_org)
    portal: Portal = sb.store
    first = run(connector_for(sb, monkeypatch))
    deals = sorted(first.live("opportunities"))
    company = min(first.live("accounts"))
    edited, archived = deals[0], deals[1]
    portal.edit("deals", edited, {"amount": "1234.5", "dealname": "Renamed"})
    added = portal.add(
        "deals",
        {
            "dealname": "Brand new",
            "amount": "900",
            "pipeline": "default",
            "dealstage": "closedwon",
            "closedate": date.today().isoformat(),
            "deal_currency_code": "USD",
            "dealtype": "newbusiness",
        },
        associations={"companies": [company]},
    )
    portal.associations.add("deals", added.id, "companies", company, primary=True)
    portal.delete("deals", archived)
    call = portal.add(
        "calls",
        {"hs_timestamp": "1751000000000", "hs_call_duration": "90000", "hs_call_direction": "OUTBOUND"},
        associations={"deals": [edited]},
    )
    sb.ledger.reset()

    second = run(connector_for(sb, monkeypatch), first)

    assert set(second.tables["opportunities"]) == {edited, added.id, archived}
    assert second.tables["opportunities"][edited].amount == 1234.5
    assert second.tables["opportunities"][edited].name == "Renamed"
    new = second.tables["opportunities"][added.id]
    assert (new.is_won, new.is_closed, new.account_id, new.amount, new.stage) == (
        True,
        True,
        company,
        900.0,
        "Closed Won",
    )
    assert second.tables["opportunities"][archived].deleted is True
    assert set(second.tables["activities"]) == {call.id}
    activity = second.tables["activities"][call.id]
    assert (activity.duration_seconds, activity.direction, activity.opportunity_id) == (
        90.0,
        "outbound",
        edited,
    )
    for table in ("accounts", "leads", "line_items", "quotas"):
        assert second.tables[table] == {}, table
    # one search page per object (the changes fit in one), one archived-list page per object
    assert sb.ledger.count("search") == len(OBJECT_STREAMS)
    assert sb.ledger.count("objects_list") == len(OBJECT_STREAMS)
    assert second.quarantined == []


def test_the_store_after_full_then_incremental_equals_a_fresh_full_extract(
    start_hubspot, tiny_org, monkeypatch
):
    sb = start_hubspot(tiny_org)
    portal: Portal = sb.store
    first = run(connector_for(sb, monkeypatch))
    deals = sorted(first.live("opportunities"))
    portal.edit("deals", deals[2], {"dealstage": "closedlost"})
    portal.delete("deals", deals[3])
    portal.delete("companies", sorted(first.live("accounts"))[1])
    contact = portal.add("contacts", {"email": "new.lead@example.com", "hs_analytics_source": "REFERRALS"})

    merged = run(connector_for(sb, monkeypatch), first)
    store = {table: dict(records) for table, records in first.tables.items()}
    for table, records in merged.tables.items():
        store.setdefault(table, {}).update(records)
    fresh = run(connector_for(sb, monkeypatch), full=True)

    for table in ("accounts", "leads", "opportunities", "activities", "line_items"):
        assert store[table] == fresh.tables[table], table
    assert store["leads"][contact.id].lead_source == "Referrals"
    assert store["opportunities"][deals[2]].stage == "Closed Lost"
    assert store["opportunities"][deals[3]].deleted is True


def test_a_run_with_nothing_changed_reads_one_small_page_per_object(start_hubspot, tiny_org, monkeypatch):
    sb = start_hubspot(tiny_org)
    first = run(connector_for(sb, monkeypatch))
    sb.ledger.reset()
    again = run(connector_for(sb, monkeypatch), first)
    assert all(
        not again.tables[t] for t in ("accounts", "leads", "opportunities", "activities", "line_items")
    )
    assert sb.ledger.count("search") == len(OBJECT_STREAMS)
    assert sb.ledger.count("associations") == 0
    assert {c.status for c in sb.ledger.calls()} == {200}


def _portal_with_changed_deals(count: int) -> Portal:
    portal = Portal()
    for i in range(count):
        portal.store.create(
            "deals",
            {
                "dealname": f"Deal {i}",
                "amount": str(i),
                "pipeline": "default",
                "dealstage": "appointmentscheduled",
            },
            check=False,
        )
    return portal


@pytest.mark.parametrize("changed", [10_000, 10_001])
def test_more_than_ten_thousand_changes_in_one_window_without_a_loop_or_a_rescan(
    start_hubspot, monkeypatch, changed
):
    """All deals changed after the cursor: search pages of 200 restarted from the last id, so the
    10,000-result cap is never reached — ceil(changed / 200) pages, every deal exactly once."""
    portal = _portal_with_changed_deals(changed)
    since = min(int(r.updated_at.timestamp() * 1000) for r in portal.store.records["deals"].values())
    sb = start_hubspot(portal)
    connector = connector_for(sb, monkeypatch, lookback_seconds=0)
    stream = next(s for s in connector.streams() if s.name == "deals")

    seen: list[str] = []
    cursors = []
    for batch in connector.extract(stream, {"since": since}):
        seen += [r.id for r in batch.records if batch.table == "opportunities"]
        cursors.append(batch.cursor)

    assert len(seen) == changed and set(seen) == set(portal.store.records["deals"])
    assert sb.ledger.count("search") == math.ceil(changed / 200)
    assert sb.ledger.count("search", status=400) == 0
    assert (
        cursors[-1] is not None and cursors[-1]["since"] > since and cursors[-1]["seen"] == {}
    )  # no look-back


def test_an_interrupted_window_resumes_after_the_last_stored_page(start_hubspot, monkeypatch):
    """Killed after the 30th search page, the next run starts at the 31st: no page is read twice."""
    portal = _portal_with_changed_deals(7_000)
    since = min(int(r.updated_at.timestamp() * 1000) for r in portal.store.records["deals"].values())
    sb = start_hubspot(portal)
    connector = connector_for(sb, monkeypatch, lookback_seconds=0)
    stream = next(s for s in connector.streams() if s.name == "deals")
    seen: list[str] = []
    cursor = None
    for number, batch in enumerate(connector.extract(stream, {"since": since}), start=1):
        seen += [r.id for r in batch.records if batch.table == "opportunities"]
        cursor = batch.cursor
        if number == 2 * 30:  # two batches a page (stage changes, then deals with the cursor)
            break
    assert cursor is not None and cursor["mode"] == "changes"
    for batch in connector_for(sb, monkeypatch, lookback_seconds=0).extract(stream, cursor):
        seen += [r.id for r in batch.records if batch.table == "opportunities"]
    assert len(seen) == 7_000 and set(seen) == set(portal.store.records["deals"])
    assert sb.ledger.count("search") == 7_000 // 200


def test_a_record_that_fails_validation_is_quarantined_with_its_reason_and_the_run_goes_on(
    start_hubspot, tiny_org, monkeypatch
):
    sb = start_hubspot(tiny_org)
    portal: Portal = sb.store
    first = run(connector_for(sb, monkeypatch))
    bad = portal.add(
        "deals", {"dealname": "Won, no close date", "pipeline": "default", "dealstage": "closedwon"}
    )
    good = portal.add(
        "deals", {"dealname": "Fine", "pipeline": "default", "dealstage": "appointmentscheduled"}
    )

    second = run(connector_for(sb, monkeypatch), first)

    assert [(q.crm_object, q.crm_id, q.table) for q in second.quarantined] == [
        ("deals", bad.id, "opportunities")
    ]
    assert second.quarantined[0].reason == "close_date: closed deal without a close date"
    assert set(second.tables["opportunities"]) == {good.id}
    assert set(second.cursors["deals"]) == {"since", "seen"}


def test_the_look_back_window_is_read_again_but_delivers_only_what_changed(
    start_hubspot, tiny_org, monkeypatch
):
    """With the default look-back (300 s) the records changed just before a run lie inside the next run's
    window: the search still covers them (for late commits), but only records modified since are delivered."""
    sb = start_hubspot(tiny_org)
    portal: Portal = sb.store
    first = run(connector_for(sb, monkeypatch))
    edited = sorted(portal.store.records["deals"])[:3]
    for deal in edited:
        portal.edit("deals", deal, {"amount": "4321"})
    second = run(connector_for(sb, monkeypatch), first)
    assert set(second.tables["opportunities"]) == set(edited)

    third = run(
        connector_for(sb, monkeypatch), second
    )  # nothing changed: the window is read, nothing delivered
    assert sb.ledger.count("search") > 0
    assert not third.tables["opportunities"]

    portal.edit("deals", edited[0], {"amount": "4322"})  # changed again inside the window: delivered again
    fourth = run(connector_for(sb, monkeypatch), third)
    assert set(fourth.tables["opportunities"]) == {edited[0]}
    assert fourth.tables["opportunities"][edited[0]].amount == 4322.0
