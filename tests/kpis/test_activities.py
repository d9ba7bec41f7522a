"""Activity KPIs on a hand-made January; expected values worked out in the comments."""

from __future__ import annotations

from datetime import date

import pytest
from kpi_records import activity, at, dataset, opp, record, user, value_of, values

from kpi_engine import KpiConfig

JAN, FEB = "2024-01-01", "2024-02-01"


@pytest.fixture(scope="module")
def out():
    acts = [
        activity("c1", "call", "u1", outcome="connected", duration_seconds=600.0),
        activity("c2", "call", "u1", outcome="no_answer", duration_seconds=60.0),
        activity("c3", "call", "u2"),  # outcome and duration unknown
        activity("e1", "email", "u1", direction="outbound", opened=True),
        activity("e2", "email", "u1", opened=False),  # direction unknown: sent
        activity("e3", "email", "u1", direction="inbound", opened=True),  # received: not sent
        activity("e4", "email", "u2", direction="outbound"),  # opening not tracked
        activity("m1", "meeting", "u1", subtype="Demo", duration_seconds=3600.0),
        activity(
            "m2", "meeting", "u1", subtype="demo", duration_seconds=1800.0, completed=False
        ),  # cancelled
        activity("m3", "meeting", "u2", subtype="discovery", duration_seconds=1800.0),
        activity("t1", "task", "u1"),
        activity("t2", "task", "u2", completed=False),
        activity("n1", "note", "u1"),
        activity("d1", "call", "u1", deleted=True, duration_seconds=9999.0),
    ]
    ds = dataset(
        users=[user("u1", "A"), user("u2", "B")],
        activities=acts,
        opportunities=[
            opp("w1", "u1", close="2024-01-20", won=True),
            opp("w2", "u2", close="2024-01-25", won=True),
        ],
    )
    return values(ds, grain="month", as_of=date(2024, 2, 29))


def test_counts(out) -> None:
    # completed, not notes: c1 c2 c3 e1 e2 e3 e4 m1 m3 t1 = 10
    assert value_of(out, "activities", JAN) == 10
    assert value_of(out, "calls", JAN) == 3  # d1 deleted
    assert value_of(out, "emails_sent", JAN) == 3  # e1, e2, e4
    assert value_of(out, "meetings", JAN) == 2  # m1, m3 (m2 cancelled)
    assert value_of(out, "demos", JAN) == 1  # m1 ("Demo", any case); m2 was cancelled
    assert value_of(out, "tasks_completed", JAN) == 1
    assert value_of(out, "activities", JAN, "rep", "u2") == 3  # c3, e4, m3
    assert value_of(out, "activities", FEB) == 0


def test_rates(out) -> None:
    # known outcomes: c1 connected, c2 no answer -> 1/2
    assert value_of(out, "call_connect_rate", JAN) == pytest.approx(0.5)
    # sent and tracked: e1 opened, e2 not -> 1/2
    assert value_of(out, "email_open_rate", JAN) == pytest.approx(0.5)
    assert value_of(out, "call_connect_rate", FEB) is None  # no calls: null, not 0
    assert value_of(out, "talk_time_hours", JAN) == pytest.approx(660 / 3600)


def test_activities_per_won_deal(out) -> None:
    assert value_of(out, "activities_per_won_deal", JAN) == pytest.approx(10 / 2)
    assert value_of(out, "activities_per_won_deal", FEB) is None


def test_selling_time_share(out) -> None:
    # calls 600 + 60 + meetings held 3600 + 1800 = 6060 s; 40 h × 31/7 weeks × 2 reps available
    assert value_of(out, "selling_time_share", JAN) == pytest.approx((6060 / 3600) / (40 * 31 / 7 * 2))
    # u1: 600 + 60 + 3600 = 4260 s over one rep's 40 × 31/7 h
    assert value_of(out, "selling_time_share", JAN, "rep", "u1") == pytest.approx(
        (4260 / 3600) / (40 * 31 / 7)
    )


def test_activity_in_the_configured_time_zone() -> None:
    late = activity("x", "call", "u1")
    late["occurred_at"] = at("2024-01-31", 23, 30)  # Feb 1, 00:30 in Berlin
    ds = dataset(users=[user("u1")], activities=[late])
    options = {"grain": "month", "as_of": date(2024, 2, 29), "since": date(2024, 1, 1)}
    utc = values(ds, **options)
    berlin = values(ds, KpiConfig(time_zone="Europe/Berlin"), **options)
    assert (value_of(utc, "calls", JAN), value_of(utc, "calls", FEB)) == (1, 0)
    assert (value_of(berlin, "calls", JAN), value_of(berlin, "calls", FEB)) == (0, 1)


def test_activity_scopes_owner_and_region() -> None:
    """Team, rep and region of an activity: the owner's team, the owner (a known user or not), the
    account's region, else its opportunity's account's region."""
    acts = [
        activity("a1", "call", "u1", account_id="acc_e"),  # region east (its account)
        activity("a2", "call", "u1", opportunity_id="o_w"),  # no account: the opportunity's account, west
        activity("a3", "call", "u1", account_id="acc_x", opportunity_id="o_w"),  # unknown account: no region
        activity("a4", "call", "stranger", account_id="acc_w"),  # owner no user: rep "stranger", no team
        activity("a5", "call", "u2"),  # neither account nor opportunity: no region
    ]
    ds = dataset(
        users=[user("u1", "A"), user("u2", "B")],
        accounts=[record("acc_e", name="E", region="east"), record("acc_w", name="W", region="west")],
        opportunities=[opp("o_w", "u2", account_id="acc_w")],
        activities=acts,
    )
    out = values(ds, grain="month", as_of=date(2024, 1, 31), kpis=["calls"])
    assert value_of(out, "calls", JAN) == 5
    assert value_of(out, "calls", JAN, "region", "east") == 1  # a1
    assert value_of(out, "calls", JAN, "region", "west") == 2  # a2 (via o_w), a4
    assert value_of(out, "calls", JAN, "rep", "stranger") == 1  # a4
    assert value_of(out, "calls", JAN, "rep", "u1") == 3  # a1, a2, a3
    assert value_of(out, "calls", JAN, "team", "A") == 3  # u1's
    assert value_of(out, "calls", JAN, "team", "B") == 1  # a5 (u2); a4's owner has no team
