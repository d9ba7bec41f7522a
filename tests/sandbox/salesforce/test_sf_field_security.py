"""Field-level security through simple-salesforce: a custom field created through the Tooling API is
invisible to the integration user (describe, SOQL, record reads) and not writable until a permission set
with FieldPermissions, assigned to the user, grants it — the calls a connector's install makes."""

from __future__ import annotations

from typing import Any

import pytest
from sf_clients import grant_fields, integration_user_id
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import SalesforceMalformedRequest

from sandbox.runtime import RunningSandbox
from sandbox.salesforce.field_security import ORG_FIELDS_PERMISSION_SET

NO_SUCH_COLUMN = "No such column '{field}' on entity 'Account'"


def _new_field(sf: Salesforce, name: str) -> str:
    sf.restful("tooling/sobjects/CustomField", method="POST", json={
        "FullName": f"Account.{name}", "Metadata": {"type": "Text", "label": name.removesuffix("__c"),
                                                    "length": 80}})
    return f"Account.{name}"


def _error(call: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
    with pytest.raises(SalesforceMalformedRequest) as raised:
        call(*args, **kwargs)
    return raised.value.content[0]  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def user_id(sandbox: RunningSandbox) -> str:
    return integration_user_id(sandbox)


@pytest.fixture(scope="module")
def account(sf: Salesforce) -> str:
    return str(sf.Account.create({"Name": "FLS Co"})["id"])


def test_a_new_custom_field_is_invisible_until_granted(sf: Salesforce, account: str) -> None:
    _new_field(sf, "Secret__c")
    assert "Secret__c" not in {f["name"] for f in sf.Account.describe()["fields"]}
    for soql in ["SELECT Id, Secret__c FROM Account", "SELECT Id FROM Account WHERE Secret__c = 'x'",
                 "SELECT Id FROM Account ORDER BY Secret__c"]:
        error = _error(sf.query, soql)
        assert error["errorCode"] == "INVALID_FIELD"
        assert NO_SUCH_COLUMN.format(field="Secret__c") in error["message"]
    assert "Secret__c" not in sf.Account.get(account)
    fields_error = _error(sf.restful, f"sobjects/Account/{account}", params={"fields": "Name,Secret__c"})
    assert fields_error["errorCode"] == "INVALID_FIELD"


def test_writing_an_ungranted_field_fails_that_record_naming_the_field(sf: Salesforce, account: str) -> None:
    _new_field(sf, "Hidden__c")
    single = _error(sf.Account.update, account, {"Hidden__c": "x"})
    assert single["errorCode"] == "INVALID_FIELD_FOR_INSERT_UPDATE"
    assert single["fields"] == ["Hidden__c"] and "Hidden__c" in single["message"]
    results = sf.restful("composite/sobjects", method="POST", json={"allOrNone": False, "records": [
        {"attributes": {"type": "Account"}, "Name": "Plain"},
        {"attributes": {"type": "Account"}, "Name": "With hidden", "Hidden__c": "x"}]})
    assert [r["success"] for r in results] == [True, False]
    assert results[1]["errors"] == [{
        "statusCode": "INVALID_FIELD_FOR_INSERT_UPDATE",
        "message": "Unable to create/update fields: Hidden__c. Please check the security settings of this field "
                   "and verify that it is read/write for your profile or permission set.",
        "fields": ["Hidden__c"]}]


def test_read_only_grant_then_edit_grant(sf: Salesforce, account: str, user_id: str) -> None:
    field = _new_field(sf, "Tier__c")
    permission_set = grant_fields(sf, user_id, "Tier_Read", [field], edit=False)
    described = {f["name"]: f for f in sf.Account.describe()["fields"]}["Tier__c"]
    assert (described["createable"], described["updateable"]) == (False, False)
    assert sf.query(f"SELECT Tier__c FROM Account WHERE Id = '{account}'")["records"][0]["Tier__c"] is None
    assert _error(sf.Account.update, account, {"Tier__c": "Gold"})["errorCode"] == "INVALID_FIELD_FOR_INSERT_UPDATE"
    grant = sf.query(f"SELECT Id FROM FieldPermissions WHERE ParentId = '{permission_set}'")["records"][0]["Id"]
    sf.FieldPermissions.update(grant, {"PermissionsEdit": True})
    sf.Account.update(account, {"Tier__c": "Gold"})
    assert sf.Account.get(account)["Tier__c"] == "Gold"


def test_only_assigned_permission_sets_count_and_unassigning_revokes(sf: Salesforce, account: str,
                                                                     user_id: str) -> None:
    field = _new_field(sf, "Score__c")
    unassigned = sf.PermissionSet.create({"Name": "Score_Unassigned", "Label": "Score unassigned"})["id"]
    sf.FieldPermissions.create({"ParentId": unassigned, "SobjectType": "Account", "Field": field,
                                "PermissionsRead": True, "PermissionsEdit": True})
    assert "Score__c" not in {f["name"] for f in sf.Account.describe()["fields"]}
    assignment = sf.PermissionSetAssignment.create({"AssigneeId": user_id, "PermissionSetId": unassigned})["id"]
    sf.Account.update(account, {"Score__c": "high"})
    assert sf.query(f"SELECT Score__c FROM Account WHERE Id = '{account}'")["records"][0]["Score__c"] == "high"
    sf.PermissionSetAssignment.delete(assignment)
    assert _error(sf.query, "SELECT Score__c FROM Account")["errorCode"] == "INVALID_FIELD"


def test_standard_and_org_custom_fields_are_granted_from_the_start(sf: Salesforce, account: str,
                                                                   user_id: str) -> None:
    sf.Account.update(account, {"Region__c": "EMEA", "BillingCountry": "FR"})
    row = sf.query(f"SELECT Region__c, BillingCountry FROM Account WHERE Id = '{account}'")["records"][0]
    assert (row["Region__c"], row["BillingCountry"]) == ("EMEA", "FR")
    grants = sf.query("SELECT Field, PermissionsRead, PermissionsEdit FROM FieldPermissions "
                      f"WHERE Parent.Name = '{ORG_FIELDS_PERMISSION_SET}' ORDER BY Field")["records"]
    # the org's four custom fields (User dates, Account region, Opportunity contract length)
    assert [(g["Field"], g["PermissionsRead"], g["PermissionsEdit"]) for g in grants] == [
        ("Account.Region__c", True, True), ("Opportunity.Contract_Months__c", True, True),
        ("User.End_Date__c", True, True), ("User.Start_Date__c", True, True)]
    assigned = sf.query("SELECT PermissionSet.Name FROM PermissionSetAssignment "
                        f"WHERE AssigneeId = '{user_id}'")["records"]
    assert ORG_FIELDS_PERMISSION_SET in {a["PermissionSet"]["Name"] for a in assigned}


def test_field_permissions_are_validated_as_a_real_org_does(sf: Salesforce, user_id: str) -> None:
    field = _new_field(sf, "Checked__c")
    permission_set = sf.PermissionSet.create({"Name": "Checked_Access", "Label": "Checked access"})["id"]
    edit_only = _error(sf.FieldPermissions.create, {"ParentId": permission_set, "SobjectType": "Account",
                                                    "Field": field, "PermissionsRead": False,
                                                    "PermissionsEdit": True})
    assert edit_only["errorCode"] == "FIELD_INTEGRITY_EXCEPTION"
    unknown = _error(sf.FieldPermissions.create, {"ParentId": permission_set, "SobjectType": "Account",
                                                  "Field": "Account.Nope__c", "PermissionsRead": True})
    assert unknown["errorCode"] == "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST"
    sf.FieldPermissions.create({"ParentId": permission_set, "SobjectType": "Account", "Field": field,
                                "PermissionsRead": True})
    duplicate = _error(sf.FieldPermissions.create, {"ParentId": permission_set, "SobjectType": "Account",
                                                    "Field": field, "PermissionsRead": True})
    assert duplicate["errorCode"] == "DUPLICATE_VALUE"
    sf.PermissionSetAssignment.create({"AssigneeId": user_id, "PermissionSetId": permission_set})
    twice = _error(sf.PermissionSetAssignment.create, {"AssigneeId": user_id, "PermissionSetId": permission_set})
    assert twice["errorCode"] == "DUPLICATE_VALUE"


def test_bulk_query_and_external_id_upsert_respect_field_security(sf: Salesforce) -> None:
    sf.restful("tooling/sobjects/CustomField", method="POST", json={
        "FullName": "Account.Ext_Key__c",
        "Metadata": {"type": "Text", "label": "Ext Key", "length": 40, "externalId": True, "unique": True}})
    job = sf.session.post(f"{sf.base_url}jobs/query", headers=sf.headers,
                          json={"operation": "query", "query": "SELECT Ext_Key__c FROM Account"})
    assert job.status_code == 400 and job.json()[0]["errorCode"] == "INVALID_FIELD"
    upsert = _error(sf.restful, "composite/sobjects/Account/Ext_Key__c", method="PATCH", json={
        "allOrNone": False, "records": [{"attributes": {"type": "Account"}, "Ext_Key__c": "k1", "Name": "K"}]})
    assert upsert["errorCode"] == "INVALID_FIELD"
