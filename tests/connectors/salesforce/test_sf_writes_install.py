"""Install creates the snapshot object, the KPI fields and their permissions once; the writer then writes
in collections of 200, reads back equal, survives record locks and names the fix for a field it cannot
write."""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest

from connectors.base import FieldWrite, InstallSpec, SnapshotWrite
from sandbox.generator import generate_org
from sandbox.runtime import RunningSandbox, Sandbox

SPEC = InstallSpec(
    fields={"opportunity": ["days_open", "days_in_stage"], "account": ["account_lifetime_revenue"]}
)


@pytest.fixture(scope="module")
def sb(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningSandbox]:
    org = generate_org("small", seed=2, as_of=date(2025, 6, 30))
    with Sandbox(crm="salesforce", org=org, state_dir=tmp_path_factory.mktemp("sf")) as running:
        yield running


@pytest.fixture(scope="module")
def installed(sb: RunningSandbox) -> RunningSandbox:
    from sf_reading import instance_for, no_sleep

    from connectors.salesforce import connect
    from connectors.salesforce.client import SalesforceClient

    instance = instance_for(sb)
    connector = connect(instance, client=SalesforceClient(instance, sleep=no_sleep))
    plan = connector.install_plan(SPEC)
    assert plan.to_create == list(plan.items)  # a fresh org has none of it
    kinds = [i.kind for i in plan.items]
    assert kinds.count("object") == 1 and kinds.count("field") == 16 + 3
    assert kinds.count("permission_set") == 2 and kinds.count("field_permission") == 2 * 19
    assert kinds.count("object_permission") == 2  # KPI_Snapshot__c in each permission set
    done = connector.install(plan)
    assert all(item.exists for item in done.items)
    connector.close()
    return sb


def test_a_second_install_creates_nothing(installed: RunningSandbox, connector_for) -> None:
    connector = connector_for(installed)
    installed.ledger.reset()
    plan = connector.install_plan(SPEC)
    assert plan.to_create == []
    assert installed.ledger.count("tooling") == 0 and installed.ledger.count("sobject") == 0
    store = installed.store
    assert store.sobject("KPI_Snapshot__c").field("Key__c").external_id
    [integration_set] = [r["Id"] for r in store.rows("PermissionSet") if r["Name"] == "CRM_KPI_Integration"]
    [read_set] = [r["Id"] for r in store.rows("PermissionSet") if r["Name"] == "CRM_KPI_Read"]
    grants = {
        (r["ParentId"], r["Field"]): (r["PermissionsRead"], r["PermissionsEdit"])
        for r in store.rows("FieldPermissions")
    }
    assert grants[(integration_set, "Opportunity.CRMKPI_days_open__c")] == (True, True)
    assert grants[(read_set, "KPI_Snapshot__c.Value__c")] == (True, False)
    assert [
        a["AssigneeId"]
        for a in store.rows("PermissionSetAssignment")
        if a["PermissionSetId"] == integration_set
    ] == [store.api_user_id]


def _snapshots(count: int, value: float) -> list[SnapshotWrite]:
    at = datetime(2025, 7, 1, 6, 0, tzinfo=UTC)
    return [
        SnapshotWrite(
            key=f"win_rate|rep|R{i:04d}|quarter|2025-04-01",
            kpi="win_rate",
            scope="rep",
            scope_id=f"R{i:04d}",
            grain="quarter",
            unit="ratio",
            instance="acme-sf",
            period_start=date(2025, 4, 1),
            period_end=date(2025, 7, 1),
            value=value + i,
            numerator=float(i),
            denominator=10.0,
            computed_at=at,
        )
        for i in range(count)
    ]


@pytest.mark.parametrize("count", [200, 201])
def test_snapshots_upsert_in_collections_of_200_and_read_back(
    installed: RunningSandbox, connector_for, count: int
) -> None:
    connector = connector_for(installed)
    installed.ledger.reset()
    results = connector.write_snapshots(_snapshots(count, 0.25))
    assert installed.ledger.count("collections") == math.ceil(count / 200)
    assert all(r.ok for r in results) and [r.key for r in results] == [s.key for s in _snapshots(count, 0)]
    again = connector.write_snapshots(_snapshots(count, 0.5))  # a re-run updates, never duplicates
    assert not any(r.created for r in again)
    held = {v.key: v.values for v in connector.read_snapshots(None)}
    assert len([k for k in held if k.startswith("win_rate|rep|R")]) == count
    assert held["win_rate|rep|R0003|quarter|2025-04-01"] == {
        "value": 3.5,
        "numerator": 3.0,
        "denominator": 10.0,
    }


def test_mixed_objects_are_grouped_and_results_keep_the_input_order(
    installed: RunningSandbox, connector_for
) -> None:
    """Opportunity and account writes alternating: 2 calls for 250 rows, each result where its row was."""
    connector = connector_for(installed)
    opportunities = sorted(r["Id"] for r in installed.store.rows("Opportunity"))[:125]
    accounts = sorted(r["Id"] for r in installed.store.rows("Account"))[:125]
    writes = [
        w
        for pair in zip(opportunities, accounts, strict=True)
        for w in (
            FieldWrite("opportunity", pair[0], {"days_open": 1.0}),
            FieldWrite("account", pair[1], {"account_lifetime_revenue": 2.0}),
        )
    ]
    installed.ledger.reset()
    results = connector.write_fields(writes)
    assert installed.ledger.count("collections") == 2
    assert [r.key for r in results] == [w.key for w in writes] and all(r.ok for r in results)
    assert [r.crm_id for r in results] == [w.record_id for w in writes]


def test_fields_write_200_a_call_and_read_back(installed: RunningSandbox, connector_for) -> None:
    connector = connector_for(installed)
    opportunities = sorted(r["Id"] for r in installed.store.rows("Opportunity"))[:401]
    writes = [
        FieldWrite("opportunity", oid, {"days_open": float(i), "days_in_stage": None})
        for i, oid in enumerate(opportunities)
    ]
    installed.ledger.reset()
    results = connector.write_fields(writes)
    assert installed.ledger.count("collections") == 3 and all(r.ok for r in results)
    held = {
        v.key: v.values for v in connector.read_fields("opportunity", ["days_open", "days_in_stage"], None)
    }
    assert held[f"opportunity:{opportunities[7]}"] == {"days_open": 7.0, "days_in_stage": None}


def test_locked_records_are_retried_then_reported_retryable(
    tmp_path_factory: pytest.TempPathFactory, connector_for
) -> None:
    org = generate_org("tiny", seed=4, as_of=date(2025, 6, 30))
    accounts = sorted(org.tables["accounts"]["id"].to_list())[:3]
    with Sandbox(
        crm="salesforce",
        org=org,
        faults=f"lock@ids={accounts[0]},times=2;lock@ids={accounts[1]}",
        state_dir=tmp_path_factory.mktemp("sf"),
    ) as sb:
        connector = connector_for(sb)
        connector.install(connector.install_plan(SPEC))
        sb.ledger.reset()
        results = connector.write_fields(
            [FieldWrite("account", a, {"account_lifetime_revenue": 1000.0}) for a in accounts]
        )
        assert [r.ok for r in results] == [True, False, True]
        assert results[1].error_code == "UNABLE_TO_LOCK_ROW" and results[1].retryable
        # the batch of 3, then the locked ones alone: both, both, then only the one locked for good
        assert sb.ledger.count("collections") == 4
        held = {
            v.key: v.values["account_lifetime_revenue"]
            for v in connector.read_fields("account", ["account_lifetime_revenue"], None)
        }
        assert [held[f"account:{a}"] for a in accounts] == [1000.0, None, 1000.0]


def test_a_field_the_user_cannot_edit_is_reported_with_the_fix_and_the_others_go_on(
    installed: RunningSandbox, connector_for
) -> None:
    """An admin took Edit away on one KPI field (field-level security): that record fails with
    INVALID_FIELD_FOR_INSERT_UPDATE and the fix; the record writing only readable fields succeeds."""
    store = installed.store
    [integration_set] = [r["Id"] for r in store.rows("PermissionSet") if r["Name"] == "CRM_KPI_Integration"]
    [grant] = [
        r
        for r in store.rows("FieldPermissions")
        if r["ParentId"] == integration_set and r["Field"] == "Opportunity.CRMKPI_days_in_stage__c"
    ]
    store.update("FieldPermissions", grant["Id"], {"PermissionsEdit": False})
    try:
        connector = connector_for(installed)
        first, second = sorted(r["Id"] for r in store.rows("Opportunity"))[:2]
        results = connector.write_fields(
            [
                FieldWrite("opportunity", first, {"days_in_stage": 3.0}),
                FieldWrite("opportunity", second, {"days_open": 4.0}),
            ]
        )
        assert [r.ok for r in results] == [False, True]
        assert results[0].error_code == "INVALID_FIELD_FOR_INSERT_UPDATE" and not results[0].retryable
        assert results[0].fix is not None and "Opportunity.CRMKPI_days_in_stage__c" in results[0].fix
        assert "CRM_KPI_Integration" in results[0].fix
    finally:
        store.update("FieldPermissions", grant["Id"], {"PermissionsEdit": True})


def test_a_field_that_was_never_installed_is_reported_with_the_fix(
    installed: RunningSandbox, connector_for
) -> None:
    """`win_rate` was never installed on Opportunity: every record of the call reports it, with the fix."""
    connector = connector_for(installed)
    opportunity = next(iter(installed.store.rows("Opportunity")))["Id"]
    [result] = connector.write_fields([FieldWrite("opportunity", opportunity, {"win_rate": 0.5})])
    assert not result.ok and result.error_code == "INVALID_FIELD" and not result.retryable
    assert result.fix is not None and "crm-kpi install" in result.fix and "CRM_KPI_Integration" in result.fix


def test_a_read_only_grant_is_upgraded_to_edit_not_duplicated(
    installed: RunningSandbox, connector_for
) -> None:
    """An admin turned Edit off on one field: install plans that one grant and updates it in place."""
    store = installed.store
    [integration_set] = [r["Id"] for r in store.rows("PermissionSet") if r["Name"] == "CRM_KPI_Integration"]
    [grant] = [
        r
        for r in store.rows("FieldPermissions")
        if r["ParentId"] == integration_set and r["Field"] == "Account.CRMKPI_account_lifetime_revenue__c"
    ]
    store.update("FieldPermissions", grant["Id"], {"PermissionsEdit": False})
    connector = connector_for(installed)
    plan = connector.install_plan(SPEC)
    assert [i.name for i in plan.to_create] == [
        "CRM_KPI_Integration:Account.CRMKPI_account_lifetime_revenue__c"
    ]
    count = sum(1 for _ in store.rows("FieldPermissions"))
    connector.install(plan)
    assert sum(1 for _ in store.rows("FieldPermissions")) == count
    assert (
        next(r for r in store.rows("FieldPermissions") if r["Id"] == grant["Id"])["PermissionsEdit"] is True
    )
    assert connector.install_plan(SPEC).to_create == []
