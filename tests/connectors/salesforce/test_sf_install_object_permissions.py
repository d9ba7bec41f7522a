"""Install grants the object permissions the writer needs on KPI_Snapshot__c (Setup's "Object Settings"):
without the integration set's ObjectPermissions row every snapshot upsert fails per record, with a fix
naming the permission set and the object permissions; install restores it once, never twice."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest

from connectors.base import InstallSpec, SnapshotWrite
from connectors.salesforce import SalesforceConnector
from sandbox.generator import generate_org
from sandbox.runtime import RunningSandbox, Sandbox

SPEC = InstallSpec(fields={"opportunity": ["days_open"]})
SNAPSHOT = "KPI_Snapshot__c"
Connect = Callable[..., SalesforceConnector]


@pytest.fixture(scope="module")
def sb(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningSandbox]:
    org = generate_org("small", seed=3, as_of=date(2025, 6, 30))
    with Sandbox(crm="salesforce", org=org, state_dir=tmp_path_factory.mktemp("sf")) as running:
        yield running


def _snapshot(key: str, value: float) -> SnapshotWrite:
    return SnapshotWrite(
        key=key, kpi="win_rate", scope="org", scope_id="org", grain="month", unit="ratio", instance="acme-sf",
        period_start=date(2025, 6, 1), period_end=date(2025, 7, 1), value=value, numerator=value,
        denominator=1.0, computed_at=datetime(2025, 7, 1, 6, 0, tzinfo=UTC),
    )


def _set_id(sb: RunningSandbox, name: str) -> str:
    [set_id] = [r["Id"] for r in sb.store.rows("PermissionSet") if r["Name"] == name]
    return str(set_id)


def _object_rows(sb: RunningSandbox) -> list[dict[str, Any]]:
    return [r for r in sb.store.rows("ObjectPermissions") if r["SobjectType"] == SNAPSHOT]


def _flags(row: dict[str, Any]) -> tuple[bool, ...]:
    return tuple(row[f"Permissions{p}"] for p in ("Read", "Create", "Edit", "Delete", "ViewAllRecords",
                                                  "ModifyAllRecords"))


@pytest.fixture(scope="module")
def installed(sb: RunningSandbox) -> RunningSandbox:
    from sf_reading import instance_for, no_sleep

    from connectors.salesforce import connect
    from connectors.salesforce.client import SalesforceClient

    instance = instance_for(sb)
    connector = connect(instance, client=SalesforceClient(instance, sleep=no_sleep))
    plan = connector.install_plan(SPEC)
    grants = [(i.name, i.exists, i.note) for i in plan.items if i.kind == "object_permission"]
    assert grants == [
        ("CRM_KPI_Integration:KPI_Snapshot__c", False, "Read, Create, Edit"),
        ("CRM_KPI_Read:KPI_Snapshot__c", False, "Read"),
    ]
    kinds = [i.kind for i in plan.to_create]
    # each set's object grant comes after the set (and the object) and before its field grants
    order = [kinds.index(k) for k in ("object", "permission_set", "object_permission", "field_permission")]
    assert order == sorted(order)
    connector.install(plan)
    connector.close()
    return sb


def test_install_grants_read_create_edit_to_the_integration_set_and_read_to_the_read_set(
    installed: RunningSandbox,
) -> None:
    rows = {r["ParentId"]: _flags(r) for r in _object_rows(installed)}
    assert rows == {
        _set_id(installed, "CRM_KPI_Integration"): (True, True, True, False, False, False),
        _set_id(installed, "CRM_KPI_Read"): (True, False, False, False, False, False),
    }


def test_a_second_install_creates_no_object_permission(
    installed: RunningSandbox, connector_for: Connect
) -> None:
    connector = connector_for(installed)
    plan = connector.install_plan(SPEC)
    assert plan.to_create == []
    assert [i.exists for i in plan.items if i.kind == "object_permission"] == [True, True]
    installed.ledger.reset()
    connector.install(plan)
    assert installed.ledger.count("sobject") == 0 and len(_object_rows(installed)) == 2


def test_snapshots_upsert_after_install(installed: RunningSandbox, connector_for: Connect) -> None:
    connector = connector_for(installed)
    [created] = connector.write_snapshots([_snapshot("after-install", 0.5)])
    [updated] = connector.write_snapshots([_snapshot("after-install", 0.75)])
    assert created.ok and created.created and updated.ok and not updated.created
    assert {v.key: v.values["value"] for v in connector.read_snapshots(None)}["after-install"] == 0.75


def test_without_the_object_grant_each_snapshot_fails_with_the_fix_then_install_restores_it(
    installed: RunningSandbox, connector_for: Connect
) -> None:
    """An admin deleted the integration set's ObjectPermissions row: the fields are still granted, but an
    upsert that would update (Edit) and one that would create (Create) both fail, per record."""
    connector = connector_for(installed)
    assert connector.write_snapshots([_snapshot("kept", 1.0)])[0].ok
    integration_set = _set_id(installed, "CRM_KPI_Integration")
    [row] = [r for r in _object_rows(installed) if r["ParentId"] == integration_set]
    installed.store.delete("ObjectPermissions", row["Id"])
    results = connector.write_snapshots([_snapshot("kept", 2.0), _snapshot("new", 3.0)])
    assert [(r.ok, r.error_code, r.retryable) for r in results] == [
        (False, "INSUFFICIENT_ACCESS_OR_READONLY", False)
    ] * 2
    for result in results:
        assert result.fix is not None
        assert "CRM_KPI_Integration" in result.fix and "KPI_Snapshot__c" in result.fix
        assert "Create" in result.fix and "Edit" in result.fix and "crm-kpi install" in result.fix
    plan = connector.install_plan(SPEC)
    assert [(i.kind, i.name) for i in plan.to_create] == [
        ("object_permission", "CRM_KPI_Integration:KPI_Snapshot__c")
    ]
    connector.install(plan)
    again = connector.write_snapshots([_snapshot("kept", 2.0), _snapshot("new", 3.0)])
    assert [(r.ok, r.created) for r in again] == [(True, False), (True, True)]
    assert len(_object_rows(installed)) == 2


def test_a_grant_missing_create_is_updated_in_place_not_duplicated(
    installed: RunningSandbox, connector_for: Connect
) -> None:
    """An admin unticked Create: updating a snapshot still works (Edit), creating one fails; install
    plans that one grant as an update and PATCHes the same row."""
    connector = connector_for(installed)
    assert connector.write_snapshots([_snapshot("there-before", 1.0)])[0].ok
    integration_set = _set_id(installed, "CRM_KPI_Integration")
    [row] = [r for r in _object_rows(installed) if r["ParentId"] == integration_set]
    installed.store.update("ObjectPermissions", row["Id"], {"PermissionsCreate": False})
    [refused] = connector.write_snapshots([_snapshot("edit-only", 1.0)])
    assert refused.error_code == "INSUFFICIENT_ACCESS_OR_READONLY"
    assert connector.write_snapshots([_snapshot("there-before", 9.0)])[0].ok  # it exists: Edit suffices
    plan = connector.install_plan(SPEC)
    [item] = plan.to_create
    assert (item.kind, item.name) == ("object_permission", "CRM_KPI_Integration:KPI_Snapshot__c")
    assert item.note == "Read, Create, Edit (the grant exists: updated)"
    connector.install(plan)
    [after] = [r for r in _object_rows(installed) if r["ParentId"] == integration_set]
    assert after["Id"] == row["Id"] and _flags(after)[:3] == (True, True, True)
    assert len(_object_rows(installed)) == 2
    assert connector.write_snapshots([_snapshot("edit-only", 1.0)])[0].ok
