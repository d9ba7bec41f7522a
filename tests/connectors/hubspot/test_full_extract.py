"""A full extract of a generated org's portal gives back the org, record by record, archivals included,
in the minimum number of calls."""

from __future__ import annotations

import math

import expected
import pytest
from hs_connect import connector_for, run

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def full(tiny_org, hs_state):
    from sandbox.runtime import Sandbox

    with Sandbox(crm="hubspot", org=tiny_org, state_dir=hs_state) as sb, pytest.MonkeyPatch.context() as mp:
        connector = connector_for(sb, mp)
        extracted = run(connector)
        yield sb, connector, extracted


def compare(records, wanted):
    got = expected.actual(records, wanted)
    assert set(got) == set(wanted)
    mismatched = {key: (got[key], wanted[key]) for key in wanted if got[key] != wanted[key]}
    assert not mismatched, f"{len(mismatched)} records differ, e.g. {next(iter(mismatched.items()))}"


def test_nothing_is_quarantined(full):
    assert full[2].quarantined == []


def test_users_are_the_owners_with_their_teams(full, tiny_org):
    compare(full[2].tables["users"], expected.users(tiny_org))


def test_accounts(full, tiny_org):
    compare(full[2].tables["accounts"], expected.accounts(tiny_org))


def test_leads_are_contacts_with_their_conversion(full, tiny_org):
    compare(full[2].tables["leads"], expected.leads(tiny_org))


def test_opportunities_with_archived_deals_as_tombstones(full, tiny_org):
    wanted = expected.opportunities(tiny_org)
    assert any(w["deleted"] for w in wanted.values()), "the org has deleted deals to check"
    assert any(w["currency"] != "USD" for w in wanted.values()), "the org has foreign-currency deals to check"
    compare(full[2].tables["opportunities"], wanted)


def test_stage_changes_are_the_latest_entry_of_each_stage(full, tiny_org):
    got = {(r.opportunity_id, r.stage, r.entered_at) for r in full[2].tables["stage_changes"].values()}
    assert got == expected.stage_entries(tiny_org)


def test_stages_from_the_pipelines(full, tiny_org):
    compare(full[2].tables["stages"], expected.stages(tiny_org))


def test_activities_of_every_kind_with_their_associations(full, tiny_org):
    compare(full[2].tables["activities"], expected.activities(tiny_org))


def test_line_items(full, tiny_org):
    compare(full[2].tables["line_items"], expected.line_items(tiny_org))


def test_goal_targets_are_quotas(full, tiny_org):
    got = sorted(
        (q["owner"], q["period_start"], q["period_end"], q["amount"])
        for q in full[2].tables["quotas"].values()
    )
    assert got == expected.quotas(tiny_org)


def test_every_stream_ends_with_a_complete_cursor(full):
    extracted = full[2]
    objects = [s.name for s in full[1].streams() if s.cursor_field is not None]
    # complete: where the next window starts, and the records of the look-back window already delivered
    assert {name: set(extracted.cursors[name]) for name in objects} == {
        name: {"since", "seen"} for name in objects
    }


def test_list_pages_are_the_minimum_per_object(full, tiny_org):
    """ceil(live / 100) list pages per object, plus the archived list (one page at this size)."""
    sb, _, _ = full
    sizes = {
        "companies": tiny_org.tables["accounts"].height,
        "contacts": tiny_org.tables["leads"].height,
        "deals": tiny_org.tables["opportunities"].height,
        "line_items": tiny_org.tables["line_items"].height,
        "goal_targets": tiny_org.tables["quotas"].height,
    }
    kinds = tiny_org.tables["activities"]["kind"].value_counts()
    for kind, count in zip(kinds["kind"].to_list(), kinds["count"].to_list(), strict=True):
        sizes[kind + "s"] = count
    deleted = {"deals": int(tiny_org.tables["opportunities"]["deleted"].sum())}
    for name, total in sizes.items():
        live = total - deleted.get(name, 0)
        paths = [c.path for c in sb.ledger.calls("objects_list") if c.path == f"/crm/v3/objects/{name}"]
        assert len(paths) == math.ceil(live / 100) + 1, name
    assert sb.ledger.count("search") == 0
    assert sb.ledger.count("pipelines") == 1
    assert sb.ledger.count("owners") == 2  # live and archived owners, 500 a page
