"""Writes through simple-salesforce: collections, OpportunityHistory, tooling-created fields, bulk2, describe."""

from __future__ import annotations

import csv
import io

import pytest
from sf_clients import grant_fields, grant_object, integration_user_id
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import SalesforceMalformedRequest

from sandbox.runtime import RunningSandbox


def _opp(name: str, **extra: object) -> dict[str, object]:
    return {"attributes": {"type": "Opportunity"}, "Name": name, "StageName": "Prospecting",
            "CloseDate": "2025-03-31", "Amount": 1000, **extra}


def test_collections_create_update_with_per_record_errors(sf: Salesforce) -> None:
    created = sf.restful("composite/sobjects", method="POST", json={"records": [
        _opp("A"), _opp("B", StageName="Not A Stage"), _opp("C", IsWon=True)]})
    assert [r["success"] for r in created] == [True, False, False]
    assert created[1]["errors"][0]["statusCode"] == "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST"
    assert created[2]["errors"][0]["statusCode"] == "INVALID_FIELD_FOR_INSERT_UPDATE"
    assert created[2]["errors"][0]["fields"] == ["IsWon"]
    missing = sf.restful("composite/sobjects", method="POST", json={"records": [
        {"attributes": {"type": "Opportunity"}, "Name": "no stage"}]})
    assert missing[0]["errors"][0]["statusCode"] == "REQUIRED_FIELD_MISSING"


def test_all_or_none_rolls_back_every_record(sf: Salesforce) -> None:
    results = sf.restful("composite/sobjects", method="POST", json={"allOrNone": True, "records": [
        _opp("AON-1"), _opp("AON-2", StageName="Bad")]})
    assert [r["success"] for r in results] == [False, False]
    assert results[0]["errors"][0]["statusCode"] == "ALL_OR_NONE_OPERATION_ROLLED_BACK"
    assert sf.query("SELECT COUNT() FROM Opportunity WHERE Name LIKE 'AON-%'")["totalSize"] == 0


def test_more_than_200_records_is_refused(sf: Salesforce) -> None:
    with pytest.raises(SalesforceMalformedRequest) as refused:
        sf.restful("composite/sobjects", method="PATCH", json={"records": [
            {"attributes": {"type": "Account"}, "id": "0015gS000000001AAA", "Name": "x"}] * 201})
    assert refused.value.content[0]["errorCode"] == "EXCEEDED_ID_LIMIT"


def test_stage_change_writes_opportunity_history_and_modstamp(sf: Salesforce, sandbox: RunningSandbox) -> None:
    opp_id = sf.Opportunity.create({"Name": "Hist", "StageName": "Prospecting", "CloseDate": "2025-01-31",
                                    "Amount": 500})["id"]
    before = sf.Opportunity.get(opp_id)["SystemModstamp"]
    sf.restful("composite/sobjects", method="PATCH", json={"records": [
        {"attributes": {"type": "Opportunity"}, "id": opp_id, "StageName": "Closed Won"}]})
    sf.Opportunity.update(opp_id, {"Description": "not tracked"})
    history = sf.query(f"SELECT StageName, Probability FROM OpportunityHistory WHERE OpportunityId = '{opp_id}' "
                       "ORDER BY CreatedDate, StageName DESC")["records"]
    # create (Prospecting, 10%) and the stage change (Closed Won, 100%); Description is not tracked
    assert [(h["StageName"], h["Probability"]) for h in history] == [("Prospecting", 10), ("Closed Won", 100)]
    after = sf.Opportunity.get(opp_id)
    assert after["IsWon"] is True and after["IsClosed"] is True and after["SystemModstamp"] >= before


def test_tooling_custom_field_is_queryable_and_writable(sf: Salesforce, sandbox: RunningSandbox) -> None:
    created = sf.restful("tooling/sobjects/CustomField", method="POST", json={
        "FullName": "Opportunity.Days_Open__c",
        "Metadata": {"type": "Number", "label": "Days Open", "precision": 6, "scale": 0}})
    assert created["success"] is True and created["id"].startswith("00N")
    with pytest.raises(SalesforceMalformedRequest) as duplicate:
        sf.restful("tooling/sobjects/CustomField", method="POST", json={
            "FullName": "Opportunity.Days_Open__c", "Metadata": {"type": "Number", "label": "Days Open"}})
    assert duplicate.value.content[0]["errorCode"] == "DUPLICATE_DEVELOPER_NAME"
    # As on a real org, the integration user needs a permission set before it sees the new field.
    grant_fields(sf, integration_user_id(sandbox), "Days_Open_Access", ["Opportunity.Days_Open__c"])
    names = [f["name"] for f in sf.Opportunity.describe()["fields"]]
    assert "Days_Open__c" in names
    opp_id = sf.Opportunity.create({"Name": "Days", "StageName": "Prospecting", "CloseDate": "2025-01-31"})["id"]
    sf.Opportunity.update(opp_id, {"Days_Open__c": 42})
    assert sf.query(f"SELECT Days_Open__c FROM Opportunity WHERE Id = '{opp_id}'")["records"][0][
        "Days_Open__c"] == 42
    tooling = sf.toolingexecute("query/?q=SELECT+Id,DeveloperName+FROM+CustomField+WHERE+"
                                "TableEnumOrId='Opportunity'")
    assert [r["DeveloperName"] for r in tooling["records"]] == ["Days_Open"]


def test_custom_object_and_external_id_upsert(sf: Salesforce, sandbox: RunningSandbox) -> None:
    sf.restful("tooling/sobjects/CustomObject", method="POST", json={
        "FullName": "KPI_Snapshot__c", "Metadata": {"label": "KPI Snapshot", "nameField": {"type": "Text"}}})
    sf.restful("tooling/sobjects/CustomField", method="POST", json={
        "FullName": "KPI_Snapshot__c.Key__c",
        "Metadata": {"type": "Text", "label": "Key", "length": 255, "externalId": True, "unique": True}})
    sf.restful("tooling/sobjects/CustomField", method="POST", json={
        "FullName": "KPI_Snapshot__c.Value__c", "Metadata": {"type": "Number", "precision": 18, "scale": 4}})
    access = grant_fields(sf, integration_user_id(sandbox), "KPI_Snapshot_Access",
                          ["KPI_Snapshot__c.Key__c", "KPI_Snapshot__c.Value__c"])
    grant_object(sf, access, "KPI_Snapshot__c")  # a new custom object needs object permissions too
    body = {"records": [{"attributes": {"type": "KPI_Snapshot__c"}, "Key__c": "win_rate|org|2025-01",
                         "Name": "win rate", "Value__c": 0.25}]}
    first = sf.restful("composite/sobjects/KPI_Snapshot__c/Key__c", method="PATCH", json=body)
    body["records"][0]["Value__c"] = 0.3
    second = sf.restful("composite/sobjects/KPI_Snapshot__c/Key__c", method="PATCH", json=body)
    assert first[0]["created"] is True and second[0]["created"] is False and first[0]["id"] == second[0]["id"]
    rows = sf.query("SELECT Value__c FROM KPI_Snapshot__c")["records"]
    assert [r["Value__c"] for r in rows] == [0.3]


def test_bulk2_query_end_to_end(sf: Salesforce, sandbox: RunningSandbox) -> None:
    sandbox.store.load("Lead", [{"LastName": f"L{i}", "Company": "Co", "Status": "Open - Not Contacted"}
                                for i in range(5)])
    pages = list(sf.bulk2.Lead.query("SELECT Id, LastName, IsConverted FROM Lead", max_records=2, wait=0.05))
    rows = [r for page in pages for r in csv.DictReader(io.StringIO(page))]
    # 5 leads at 2 per page: 3 pages (2 + 2 + 1)
    assert len(pages) == 3 and len(rows) == 5 and rows[0]["IsConverted"] == "false"
    assert sandbox.ledger.count("bulk_results") == 3


def test_describe_and_limits(sf: Salesforce, sandbox: RunningSandbox) -> None:
    describe = sf.Opportunity.describe()
    fields = {f["name"]: f for f in describe["fields"]}
    assert fields["IsWon"]["updateable"] is False and fields["Contract_Months__c"]["custom"] is True
    assert "Closed Won" in [p["value"] for p in fields["StageName"]["picklistValues"]]
    assert describe["keyPrefix"] == "006"
    limits = sf.limits()
    assert limits["DailyApiRequests"]["Max"] == 115000
    assert limits["DailyApiRequests"]["Remaining"] < 115000
    assert sf.api_usage["api-usage"].total == 115000


def test_bulk2_job_from_a_json_array_is_a_parser_error_not_a_crash(sf: Salesforce) -> None:
    response = sf.session.post(f"{sf.base_url}jobs/query", json=[1], headers=sf.headers)
    assert response.status_code == 400
    assert response.json()[0]["errorCode"] == "JSON_PARSER_ERROR"
