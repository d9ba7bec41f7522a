"""Install, then writes: snapshots upserted by kpi_key (100 a call), KPI properties on deals and companies
(100 a call), per-record failures of a 207, read back equal; a portal without custom objects."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, timedelta

import polars as pl
import pytest
from hs_connect import connector_for

from connectors.base import FieldWrite, InstallSpec, SnapshotWrite
from sandbox.hubspot.org import render_org
from sandbox.hubspot.portal import Portal

pytestmark = pytest.mark.slow

SPEC = InstallSpec(
    fields={
        "opportunity": ["days_open", "days_in_stage"],
        "account": ["account_lifetime_revenue"],
        "user": ["win_rate"],
    }
)
COMPUTED = datetime(2026, 7, 1, 6, 30, tzinfo=UTC)


def snapshot(i: int, owner: str | None = None, value: float | None = None) -> SnapshotWrite:
    start = date(2024 + i // 12, i % 12 + 1, 1)
    return SnapshotWrite(
        key=f"won_deals|rep|{owner or 'org'}|month|{start}",
        kpi="won_deals",
        scope="rep",
        scope_id=owner or "org",
        grain="month",
        unit="count",
        instance="acme-hs",
        period_start=start,
        period_end=date(start.year + start.month // 12, start.month % 12 + 1, 1),
        value=float(i) if value is None else value,
        numerator=None,
        denominator=None,
        computed_at=COMPUTED,
        owner_id=owner,
    )


@pytest.fixture
def installed(start_hubspot, tiny_org, monkeypatch):
    sb = start_hubspot(tiny_org)
    connector = connector_for(sb, monkeypatch)
    connector.install(connector.install_plan(SPEC))
    sb.ledger.reset()
    return sb, connector_for(sb, monkeypatch)


def posts(sb, label):
    return [c for c in sb.ledger.calls(label) if c.method == "POST"]


def test_install_plan_then_install_is_idempotent(start_hubspot, tiny_org, monkeypatch):
    sb = start_hubspot(tiny_org)
    connector = connector_for(sb, monkeypatch)
    plan = connector.install_plan(SPEC)
    assert {(i.kind, i.name) for i in plan.to_create} == {
        ("property_group", "deals.crm_kpi"),
        ("property", "deals.crmkpi_days_open"),
        ("property", "deals.crmkpi_days_in_stage"),
        ("property_group", "companies.crm_kpi"),
        ("property", "companies.crmkpi_account_lifetime_revenue"),
        ("object", "kpi_snapshot"),
    }
    assert len(plan.warnings) == 1 and "users object takes no custom properties" in plan.warnings[0]
    assert posts(sb, "properties") == [] and posts(sb, "schemas") == []  # a plan (dry run) writes nothing

    done = connector.install(plan)
    assert all(item.exists for item in done.items)
    again = connector.install_plan(SPEC)
    assert again.to_create == []
    created = len(posts(sb, "properties")) + len(posts(sb, "schemas"))
    connector.install(again)
    assert len(posts(sb, "properties")) + len(posts(sb, "schemas")) == created == 6
    schema = next(iter(sb.store.schemas.values()))
    assert sb.store.types["kpi_snapshot"].properties["kpi_key"].has_unique_value
    assert schema["requiredProperties"] == ["kpi_key"]


@pytest.mark.parametrize("count", [100, 101, 250])
def test_snapshots_upsert_100_a_call_and_read_back_equal(installed, count):
    sb, connector = installed
    rows = [snapshot(i) for i in range(count)]
    results = connector.write_snapshots(rows)
    assert [r.key for r in results] == [r.key for r in rows]
    assert all(r.ok and r.created for r in results)
    assert sb.ledger.count("batch_upsert") == math.ceil(count / 100)

    back = {v.key: v.values for v in connector.read_snapshots(None)}
    assert back == {r.key: {"value": r.value, "numerator": None, "denominator": None} for r in rows}

    rewritten = connector.write_snapshots([snapshot(0, value=41.5)])
    assert rewritten[0].ok and not rewritten[0].created  # upserted by kpi_key: no duplicate
    assert len(sb.store.store.records["kpi_snapshot"]) == count


def test_duplicate_keys_in_one_call_are_sent_once_and_rep_snapshots_are_owned(installed, tiny_org):
    sb, connector = installed
    owner = tiny_org.tables["users"]["id"][1]
    rows = [snapshot(1, owner, value=3.0), snapshot(1, owner, value=4.0)]
    results = connector.write_snapshots(rows)
    assert [r.ok for r in results] == [True, True] and results[0].crm_id == results[1].crm_id
    record = next(iter(sb.store.store.records["kpi_snapshot"].values()))
    assert (record.properties["value"], record.properties["hubspot_owner_id"]) == ("4", owner)
    assert sb.ledger.count("batch_upsert") == 1


def test_nothing_to_write_makes_no_call(installed):
    sb, connector = installed
    assert connector.write_snapshots([]) == [] and connector.write_fields([]) == []
    assert sb.ledger.count() == 0


@pytest.mark.parametrize("count", [100, 150])
def test_deal_and_company_fields_100_a_call_read_back_equal(installed, tiny_org, count):
    sb, connector = installed
    portal: Portal = sb.store
    deals = sorted(r.id for r in portal.store.iter("deals"))
    deals += [
        portal.add(
            "deals", {"dealname": f"More {i}", "pipeline": "default", "dealstage": "appointmentscheduled"}
        ).id
        for i in range(count - len(deals))
    ]
    sb.ledger.reset()
    companies = sorted(r.id for r in portal.store.iter("companies"))[:3]
    rows = [
        FieldWrite("opportunity", d, {"days_open": float(i), "days_in_stage": i / 4})
        for i, d in enumerate(deals)
    ] + [FieldWrite("account", c, {"account_lifetime_revenue": 1000.5}) for c in companies]
    results = connector.write_fields(rows)
    assert all(r.ok for r in results) and [r.key for r in results] == [r.key for r in rows]
    assert sb.ledger.count("batch_update") == math.ceil(count / 100) + 1
    back = {
        v.key: v.values for v in connector.read_fields("opportunity", ["days_open", "days_in_stage"], None)
    }
    assert {k: back[k] for k in (r.key for r in rows[:count])} == {
        r.key: dict(r.values) for r in rows[:count]
    }
    companies_back = {
        v.key: v.values for v in connector.read_fields("account", ["account_lifetime_revenue"], None)
    }
    assert companies_back[f"account:{companies[0]}"] == {"account_lifetime_revenue": 1000.5}


def test_partial_failures_of_a_207_are_per_record_and_the_rest_is_written(
    start_hubspot, tiny_org, monkeypatch
):
    live = sorted(_live_deals(tiny_org))
    rejected, locked = live[3], live[7]
    sb = start_hubspot(tiny_org, faults=f"reject@ids={rejected};lock@ids={locked}")
    connector = connector_for(sb, monkeypatch)
    connector.install(connector.install_plan(SPEC))
    rows = [FieldWrite("opportunity", d, {"days_open": 5.0}) for d in live[:10]]
    rows.append(FieldWrite("opportunity", "999999999", {"days_open": 1.0}))
    rows.append(FieldWrite("user", live[0], {"win_rate": 0.5}))
    results = {r.key: r for r in connector.write_fields(rows)}
    failed = {k: (r.error_code, r.retryable) for k, r in results.items() if not r.ok}
    assert failed == {
        f"opportunity:{rejected}": ("VALIDATION_ERROR", False),
        f"opportunity:{locked}": ("CONFLICT", True),
        "opportunity:999999999": ("OBJECT_NOT_FOUND", False),
        f"user:{live[0]}": ("NOT_WRITABLE", False),
    }
    assert "deleted or merged" in (results["opportunity:999999999"].fix or "")
    written = [d for d in live[:10] if d not in (rejected, locked)]
    assert all(sb.store.store.records["deals"][d].properties.get("crmkpi_days_open") == "5" for d in written)
    assert sb.store.store.records["deals"][rejected].properties.get("crmkpi_days_open") is None
    assert sb.ledger.count("batch_update") == 1


def _live_deals(org):
    return org.tables["opportunities"].filter(~pl.col("deleted")).select("id").to_series().to_list()


def test_a_portal_without_custom_objects_says_so_once_and_writes_the_fields(
    start_hubspot, tiny_org, monkeypatch
):
    portal = render_org(tiny_org, Portal(tier="professional"))
    sb = start_hubspot(portal)
    connector = connector_for(sb, monkeypatch)
    plan = connector.install_plan(InstallSpec(fields={"opportunity": ["days_open"]}))
    assert [w for w in plan.warnings if "custom objects" in w] == [plan.warnings[0]] and len(
        plan.warnings
    ) == 1
    assert "crmkpi_* properties on deals and companies will be" in plan.warnings[0]
    assert "kpi_snapshot" not in {i.name for i in plan.items}
    connector.install(plan)
    assert "crmkpi_days_open" in sb.store.types["deals"].properties

    results = connector.write_snapshots([snapshot(0), snapshot(1)])
    assert {(r.ok, r.error_code) for r in results} == {(False, "NO_CUSTOM_OBJECTS")}
    assert sb.ledger.count("batch_upsert") == 0
    assert list(connector.read_snapshots(None)) == []
    deal = min(_live_deals(tiny_org))
    assert connector.write_fields([FieldWrite("opportunity", deal, {"days_open": 12.0})])[0].ok


def test_current_values_changed_since_a_time_are_read_through_search(installed):
    """The planner's cheap read: only records modified since `since` (one search page each here)."""
    sb, connector = installed
    before = datetime.now(UTC) - timedelta(minutes=1)
    rows = [snapshot(i) for i in range(3)]
    connector.write_snapshots(rows)
    deal = min(r.id for r in sb.store.store.iter("deals"))
    connector.write_fields([FieldWrite("opportunity", deal, {"days_open": 9.0})])
    sb.ledger.reset()

    assert {v.key for v in connector.read_snapshots(before)} == {r.key for r in rows}
    fields = list(connector.read_fields("opportunity", ["days_open"], before))
    assert [(v.key, v.values) for v in fields] == [(f"opportunity:{deal}", {"days_open": 9.0})]
    later = datetime.now(UTC) + timedelta(hours=1)
    assert (
        list(connector.read_snapshots(later)) == []
        and list(connector.read_fields("account", ["x"], later)) == []
    )
    assert sb.ledger.count("search") == 4 and sb.ledger.count("objects_list") == 0
