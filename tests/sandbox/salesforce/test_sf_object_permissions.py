"""Object permissions through simple-salesforce: a custom object created through the Tooling API does not
exist for the integration user (object list, describe, SOQL) and refuses their writes per record until an
`ObjectPermissions` row on a permission set assigned to them grants Read / Create / Edit — the calls a
connector's install makes; the rows themselves are validated as a real org validates them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sf_clients import client, grant_fields, grant_object, integration_user_id
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import SalesforceMalformedRequest

from sandbox.runtime import RunningSandbox, Sandbox
from sandbox.salesforce.field_security import ORG_FIELDS_PERMISSION_SET
from sandbox.salesforce.org import render_org
from sandbox.salesforce.tooling import create_object, tooling_store

INSUFFICIENT = {"statusCode": "INSUFFICIENT_ACCESS_OR_READONLY",
                "message": "insufficient access rights on object id", "fields": []}


def _error(call: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
    with pytest.raises(SalesforceMalformedRequest) as raised:
        call(*args, **kwargs)
    return raised.value.content[0]  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def user_id(sandbox: RunningSandbox) -> str:
    return integration_user_id(sandbox)


def _new_object(sf: Salesforce, user_id: str, name: str) -> str:
    """Custom object `name` with an external-id `Key__c` and a `Value__c`, both fields granted read and
    edit (field-level security) by a new permission set assigned to the user — no object permission yet.
    The permission set's id."""
    sf.restful("tooling/sobjects/CustomObject", method="POST", json={
        "FullName": name, "Metadata": {"label": name[:-3], "nameField": {"type": "AutoNumber"}}})
    sf.restful("tooling/sobjects/CustomField", method="POST", json={
        "FullName": f"{name}.Key__c", "Metadata": {"type": "Text", "length": 40, "externalId": True,
                                                   "unique": True}})
    sf.restful("tooling/sobjects/CustomField", method="POST", json={
        "FullName": f"{name}.Value__c", "Metadata": {"type": "Number", "precision": 18, "scale": 2}})
    return grant_fields(sf, user_id, f"{name[:-3]}_Fields", [f"{name}.Key__c", f"{name}.Value__c"])


def _collection(sf: Salesforce, method: str, name: str, records: list[dict[str, Any]],
                path: str = "composite/sobjects") -> list[dict[str, Any]]:
    body = {"allOrNone": False, "records": [{"attributes": {"type": name}} | r for r in records]}
    return sf.restful(path, method=method, json=body)  # type: ignore[no-any-return]


def _upsert(sf: Salesforce, name: str, *keys: str) -> list[dict[str, Any]]:
    return _collection(sf, "PATCH", name, [{"Key__c": k, "Value__c": 1} for k in keys],
                       f"composite/sobjects/{name}/Key__c")


def test_without_read_a_new_custom_object_does_not_exist_for_the_user(sf: Salesforce, user_id: str) -> None:
    _new_object(sf, user_id, "Hidden__c")
    error = _error(sf.query, "SELECT Id FROM Hidden__c")
    assert error["errorCode"] == "INVALID_TYPE"
    assert "sObject type 'Hidden__c' is not supported." in error["message"]
    assert _error(sf.Hidden__c.describe)["errorCode"] == "INVALID_TYPE"
    assert "Hidden__c" not in {o["name"] for o in sf.describe()["sobjects"]}
    bulk = sf.session.post(f"{sf.base_url}jobs/query", headers=sf.headers,
                           json={"operation": "query", "query": "SELECT Id FROM Hidden__c"})
    assert bulk.status_code == 400 and bulk.json()[0]["errorCode"] == "INVALID_TYPE"
    # standard objects are governed by nothing new
    assert sf.query("SELECT Id FROM Account")["done"] is True


def test_without_create_or_edit_every_write_fails_per_record(sf: Salesforce, user_id: str) -> None:
    _new_object(sf, user_id, "Locked__c")
    created = _collection(sf, "POST", "Locked__c", [{"Key__c": "a"}, {"Key__c": "b"}])
    assert created == [{"id": None, "success": False, "errors": [INSUFFICIENT]}] * 2
    assert [r["errors"] for r in _upsert(sf, "Locked__c", "a")] == [[INSUFFICIENT]]
    single = _error(sf.Locked__c.create, {"Key__c": "c"})
    assert (single["errorCode"], single["message"]) == ("INSUFFICIENT_ACCESS_OR_READONLY",
                                                        "insufficient access rights on object id")


def test_read_alone_lets_the_user_query_but_not_write(sf: Salesforce, sandbox: RunningSandbox,
                                                      user_id: str) -> None:
    permission_set = _new_object(sf, user_id, "Viewed__c")
    grant_object(sf, permission_set, "Viewed__c", PermissionsCreate=False, PermissionsEdit=False)
    [record_id] = sandbox.store.load("Viewed__c", [{"Key__c": "seen", "Value__c": 5}])  # as an admin would
    rows = sf.query("SELECT Key__c, Value__c FROM Viewed__c")["records"]
    assert [(r["Key__c"], r["Value__c"]) for r in rows] == [("seen", 5)]
    assert "Viewed__c" in {o["name"] for o in sf.describe()["sobjects"]}
    assert sf.Viewed__c.get(record_id)["Key__c"] == "seen"
    assert _collection(sf, "POST", "Viewed__c", [{"Key__c": "new"}])[0]["errors"] == [INSUFFICIENT]
    updated = _collection(sf, "PATCH", "Viewed__c", [{"id": record_id, "Value__c": 6}])
    assert updated[0]["errors"] == [INSUFFICIENT]
    assert _error(sf.Viewed__c.update, record_id, {"Value__c": 6})["errorCode"] == "INSUFFICIENT_ACCESS_OR_READONLY"
    assert sf.query("SELECT Value__c FROM Viewed__c")["records"][0]["Value__c"] == 5


def test_create_without_edit_creates_but_an_upsert_that_matches_needs_edit(sf: Salesforce, user_id: str) -> None:
    permission_set = _new_object(sf, user_id, "Appended__c")
    grant_object(sf, permission_set, "Appended__c", PermissionsEdit=False)
    first = _upsert(sf, "Appended__c", "k1")
    assert first[0]["success"] is True and first[0]["created"] is True
    again = _upsert(sf, "Appended__c", "k1", "k2")
    assert [(r["success"], r.get("created"), r["errors"]) for r in again] == [
        (False, False, [INSUFFICIENT]), (True, True, [])]
    assert _collection(sf, "PATCH", "Appended__c", [{"id": first[0]["id"], "Value__c": 2}])[0]["errors"] == [
        INSUFFICIENT]


def test_edit_without_create_updates_but_an_upsert_that_would_create_needs_create(
        sf: Salesforce, sandbox: RunningSandbox, user_id: str) -> None:
    permission_set = _new_object(sf, user_id, "Curated__c")
    grant_object(sf, permission_set, "Curated__c", PermissionsCreate=False)
    sandbox.store.load("Curated__c", [{"Key__c": "old", "Value__c": 0}])
    results = _upsert(sf, "Curated__c", "old", "fresh")
    assert [(r["success"], r["errors"]) for r in results] == [(True, []), (False, [INSUFFICIENT])]
    assert results[0]["created"] is False
    assert [r["Key__c"] for r in sf.query("SELECT Key__c FROM Curated__c")["records"]] == ["old"]


def test_access_is_the_union_of_the_assigned_sets_and_unassigning_revokes(sf: Salesforce, user_id: str) -> None:
    fields_set = _new_object(sf, user_id, "Shared__c")
    grant_object(sf, fields_set, "Shared__c", PermissionsEdit=False)  # Read, Create
    editing = sf.PermissionSet.create({"Name": "Shared_Edit", "Label": "Shared edit"})["id"]
    grant_object(sf, editing, "Shared__c", PermissionsCreate=False)  # Read, Edit: not assigned yet
    created = _upsert(sf, "Shared__c", "u1")[0]
    assert created["success"] is True
    assert _upsert(sf, "Shared__c", "u1")[0]["errors"] == [INSUFFICIENT]
    assignment = sf.PermissionSetAssignment.create({"AssigneeId": user_id, "PermissionSetId": editing})["id"]
    assert _upsert(sf, "Shared__c", "u1", "u2")[0]["success"] is True
    sf.PermissionSetAssignment.delete(assignment)
    assert _upsert(sf, "Shared__c", "u1")[0]["errors"] == [INSUFFICIENT]


def test_object_permissions_rows_through_rest_create_query_describe_and_update(sf: Salesforce,
                                                                               user_id: str) -> None:
    permission_set = _new_object(sf, user_id, "Granted__c")
    grant = sf.ObjectPermissions.create({"ParentId": permission_set, "SobjectType": "granted__c",
                                         "PermissionsRead": True})
    assert grant["id"].startswith("110")
    [row] = sf.query("SELECT Id, SobjectType, Parent.Name, PermissionsRead, PermissionsCreate, PermissionsEdit, "
                     f"PermissionsDelete FROM ObjectPermissions WHERE ParentId = '{permission_set}'")["records"]
    assert (row["SobjectType"], row["Parent"]["Name"]) == ("Granted__c", "Granted_Fields")  # canonical name
    assert (row["PermissionsRead"], row["PermissionsCreate"], row["PermissionsEdit"],
            row["PermissionsDelete"]) == (True, False, False, False)
    described = {f["name"]: f for f in sf.ObjectPermissions.describe()["fields"]}
    assert {"ParentId", "SobjectType", "PermissionsRead", "PermissionsCreate", "PermissionsEdit",
            "PermissionsDelete", "PermissionsViewAllRecords", "PermissionsModifyAllRecords"} <= set(described)
    assert described["ParentId"]["updateable"] is False and described["PermissionsCreate"]["updateable"] is True
    assert _collection(sf, "POST", "Granted__c", [{"Key__c": "g"}])[0]["errors"] == [INSUFFICIENT]
    sf.ObjectPermissions.update(grant["id"], {"PermissionsCreate": True, "PermissionsEdit": True})
    assert _collection(sf, "POST", "Granted__c", [{"Key__c": "g"}])[0]["success"] is True
    moved = _error(sf.ObjectPermissions.update, grant["id"], {"SobjectType": "Account"})
    assert moved["errorCode"] == "INVALID_FIELD_FOR_INSERT_UPDATE"


@pytest.mark.parametrize(("flags", "message", "fields"), [
    ({"PermissionsCreate": True}, "Permission Create Rules__c depends on permission(s): Read Rules__c",
     ["PermissionsCreate"]),
    ({"PermissionsEdit": True}, "Permission Edit Rules__c depends on permission(s): Read Rules__c",
     ["PermissionsEdit"]),
    ({"PermissionsViewAllRecords": True},
     "Permission Read All Rules__c depends on permission(s): Read Rules__c", ["PermissionsViewAllRecords"]),
    ({"PermissionsRead": True, "PermissionsDelete": True},
     "Permission Delete Rules__c depends on permission(s): Edit Rules__c", ["PermissionsDelete"]),
    ({"PermissionsRead": True, "PermissionsEdit": True, "PermissionsDelete": True,
      "PermissionsModifyAllRecords": True},
     "Permission Modify All Rules__c depends on permission(s): Read All Rules__c",
     ["PermissionsModifyAllRecords"]),
    ({"PermissionsCreate": True, "PermissionsEdit": True},
     "Permission Create Rules__c depends on permission(s): Read Rules__c; "
     "Permission Edit Rules__c depends on permission(s): Read Rules__c", ["PermissionsCreate", "PermissionsEdit"]),
    ({}, "You must enable at least one permission.", ["Permissions"]),
])
def test_a_permission_without_what_it_depends_on_is_refused(sf: Salesforce, user_id: str, flags: dict[str, bool],
                                                            message: str, fields: list[str]) -> None:
    if sf.query("SELECT Id FROM PermissionSet WHERE Name = 'Rules_Fields'")["totalSize"] == 0:
        _new_object(sf, user_id, "Rules__c")
    permission_set = sf.query("SELECT Id FROM PermissionSet WHERE Name = 'Rules_Fields'")["records"][0]["Id"]
    error = _error(sf.ObjectPermissions.create, {"ParentId": permission_set, "SobjectType": "Rules__c"} | flags)
    assert (error["errorCode"], error["message"], error["fields"]) == ("FIELD_INTEGRITY_EXCEPTION", message, fields)
    assert sf.query(f"SELECT Id FROM ObjectPermissions WHERE ParentId = '{permission_set}'")["totalSize"] == 0


def test_an_update_that_breaks_a_dependency_a_duplicate_and_an_unknown_object_are_refused(
        sf: Salesforce, user_id: str) -> None:
    permission_set = _new_object(sf, user_id, "Checked__c")
    grant = grant_object(sf, permission_set, "Checked__c")
    no_read = _error(sf.ObjectPermissions.update, grant, {"PermissionsRead": False})
    assert no_read["errorCode"] == "FIELD_INTEGRITY_EXCEPTION"
    duplicate = _error(sf.ObjectPermissions.create, {"ParentId": permission_set, "SobjectType": "CHECKED__C",
                                                     "PermissionsRead": True})
    assert (duplicate["errorCode"], duplicate["message"]) == (
        "DUPLICATE_VALUE", f"duplicate value found: <unknown> duplicates value on record with id: {grant}")
    unknown = _error(sf.ObjectPermissions.create, {"ParentId": permission_set, "SobjectType": "Nope__c",
                                                   "PermissionsRead": True})
    assert (unknown["errorCode"], unknown["fields"]) == ("INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST", ["SobjectType"])
    # the same object in another permission set is a row of its own
    other = sf.PermissionSet.create({"Name": "Checked_Other", "Label": "Checked other"})["id"]
    assert grant_object(sf, other, "Checked__c").startswith("110")
    # Read still on: the row is unchanged
    assert sf.query(f"SELECT PermissionsRead FROM ObjectPermissions WHERE Id = '{grant}'")["records"][0][
        "PermissionsRead"] is True


@pytest.fixture(scope="module")
def org_with_a_custom_object(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningSandbox]:
    """An org that already has a custom object (with a field) before the sandbox starts."""
    store = render_org(None)
    create_object(store, tooling_store(), "Legacy__c", {"label": "Legacy"})
    with Sandbox(crm="salesforce", org=store, state_dir=tmp_path_factory.mktemp("legacy")) as running:
        yield running


def test_the_orgs_own_custom_objects_are_granted_to_the_integration_user_at_start(
        org_with_a_custom_object: RunningSandbox, tmp_path: Path) -> None:
    sf = client(org_with_a_custom_object)
    created = sf.Legacy__c.create({"Name": "from the start"})
    assert created["success"] is True
    assert [r["Name"] for r in sf.query("SELECT Name FROM Legacy__c")["records"]] == ["from the start"]
    [grant] = sf.query("SELECT SobjectType, PermissionsRead, PermissionsCreate, PermissionsEdit, PermissionsDelete, "
                       "PermissionsViewAllRecords, PermissionsModifyAllRecords FROM ObjectPermissions "
                       f"WHERE Parent.Name = '{ORG_FIELDS_PERMISSION_SET}'")["records"]
    assert grant["SobjectType"] == "Legacy__c"
    assert all(grant[f"Permissions{p}"] for p in ("Read", "Create", "Edit", "Delete", "ViewAllRecords",
                                                  "ModifyAllRecords"))
