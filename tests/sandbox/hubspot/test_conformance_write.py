"""hubspot-api-client (strict validation) writing to the sandbox: batches with 200/201/207, properties
with 409, custom object schemas (and their refusal below Enterprise), injected record faults."""

from __future__ import annotations

import pytest
from hs_client import api_error, client_for, ledger_count
from hubspot.crm.objects import (
    BatchInputSimplePublicObjectBatchInput,
    BatchInputSimplePublicObjectBatchInputForCreate,
    BatchInputSimplePublicObjectBatchInputUpsert,
    BatchReadInputSimplePublicObjectId,
    PublicObjectSearchRequest,
)
from tiny_portal import tiny_portal

from sandbox.runtime import Sandbox


@pytest.fixture(scope="module")
def sandbox(hub_state):
    running = Sandbox(crm="hubspot", org=tiny_portal(), state_dir=hub_state, instance="writes",
                      faults="lock@ids=1030,times=1").start()
    yield running
    running.stop()


@pytest.fixture(scope="module")
def deal_ids(client):
    return [d.id for d in client.crm.deals.basic_api.get_page(limit=5).results]


def test_batch_read_partial_is_207_with_missing_ids(client, deal_ids):
    body = BatchReadInputSimplePublicObjectId(inputs=[{"id": deal_ids[0]}, {"id": "424242"}],
                                              properties=["amount"], properties_with_history=["dealstage"])
    result = client.crm.deals.batch_api.read(batch_read_input_simple_public_object_id=body)
    assert [r.id for r in result.results] == [deal_ids[0]]
    assert result.num_errors == 1
    assert result.errors[0].category == "OBJECT_NOT_FOUND"
    assert result.errors[0].context == {"ids": ["424242"]}


def test_batch_update_all_ok_is_200_and_bumps_lastmodified(client, sandbox, deal_ids):
    before = client.crm.deals.basic_api.get_by_id(deal_ids[1]).properties["hs_lastmodifieddate"]
    result = client.crm.deals.batch_api.update(BatchInputSimplePublicObjectBatchInput(
        inputs=[{"id": deal_ids[1], "properties": {"amount": "777"}}]))
    # 200 deserialises as the class without `errors`; a 207 would be ...WithErrors
    assert type(result).__name__ == "BatchResponseSimplePublicObject" and result.status == "COMPLETE"
    after = client.crm.deals.basic_api.get_by_id(deal_ids[1], properties=["amount"])
    assert after.properties["amount"] == "777"
    assert after.properties["hs_lastmodifieddate"] > before
    assert ledger_count(sandbox, "batch_update", status=200) == 1


def test_batch_update_partial_failure_is_207(client, sandbox, deal_ids):
    result = client.crm.deals.batch_api.update(BatchInputSimplePublicObjectBatchInput(inputs=[
        {"id": deal_ids[2], "properties": {"amount": "5"}},
        {"id": deal_ids[3], "properties": {"amount": "not a number"}},
        {"id": deal_ids[4], "properties": {"no_such_property": "x"}},
        {"id": "424242", "properties": {"amount": "1"}}]))
    assert [r.id for r in result.results] == [deal_ids[2]]
    assert result.num_errors == 3
    assert [e.category for e in result.errors] == ["VALIDATION_ERROR", "VALIDATION_ERROR", "OBJECT_NOT_FOUND"]
    assert [e.errors[0].code for e in result.errors[:2]] == ["INVALID_NUMBER", "PROPERTY_DOESNT_EXIST"]
    assert result.errors[1].context["ids"] == [deal_ids[4]]
    assert ledger_count(sandbox, "batch_update", status=207) == 1


def test_batch_update_over_100_inputs_is_400(client, deal_ids):
    inputs = [{"id": deal_ids[0], "properties": {"amount": "1"}}] * 101
    status, body, _ = api_error(client.crm.deals.batch_api.update,
                                BatchInputSimplePublicObjectBatchInput(inputs=inputs))
    assert (status, body["category"]) == (400, "VALIDATION_ERROR")


def test_batch_create_is_201_with_associations(client, sandbox):
    company = client.crm.companies.basic_api.get_page(limit=1).results[0]
    result = client.crm.deals.batch_api.create(BatchInputSimplePublicObjectBatchInputForCreate(inputs=[
        {"properties": {"dealname": "New A", "dealstage": "closedwon", "pipeline": "default"},
         "associations": [{"to": {"id": company.id},
                           "types": [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 5}]}]}]))
    created = client.crm.deals.basic_api.get_by_id(result.results[0].id, associations=["companies"],
                                                   properties=["hs_is_closed_won", "hs_deal_stage_probability",
                                                               "hs_v2_date_entered_closedwon"])
    assert created.properties["hs_is_closed_won"] == "true"
    assert created.properties["hs_deal_stage_probability"] == "1.0"
    assert created.properties["hs_v2_date_entered_closedwon"] == created.properties["createdate"]
    assert {a.id for a in created.associations["companies"].results} == {company.id}
    assert ledger_count(sandbox, "batch_create", status=201) == 1


def test_batch_upsert_by_unique_property(client):
    existing = "lead1@example.com"
    result = client.crm.contacts.batch_api.upsert(BatchInputSimplePublicObjectBatchInputUpsert(inputs=[
        {"id": existing, "idProperty": "email", "properties": {"firstname": "Changed"}},
        {"id": "fresh@example.com", "idProperty": "email", "properties": {"firstname": "Fresh"}}]))
    assert sorted((r.properties["firstname"], r.new) for r in result.results) == [("Changed", False), ("Fresh", True)]
    found = client.crm.contacts.search_api.do_search(public_object_search_request=PublicObjectSearchRequest(
        filter_groups=[{"filters": [{"propertyName": "email", "operator": "EQ", "value": "FRESH@example.com"}]}]))
    assert found.total == 1  # EQ on text is case-insensitive


def test_upsert_by_non_unique_property_fails_per_record(client):
    result = client.crm.contacts.batch_api.upsert(BatchInputSimplePublicObjectBatchInputUpsert(inputs=[
        {"id": "Lead2", "idProperty": "firstname", "properties": {"lastname": "X"}}]))
    assert result.num_errors == 1 and result.results == []


def test_locked_record_fails_once_then_succeeds(client, sandbox):
    # the module's fault plan locks deal 1030 (tiny portal: companies 1001-1003, contacts 1004-1015,
    # deals 1016-1040) for its first write
    first = client.crm.deals.batch_api.update(BatchInputSimplePublicObjectBatchInput(
        inputs=[{"id": "1030", "properties": {"amount": "1"}}]))
    assert first.num_errors == 1 and first.errors[0].category == "CONFLICT"
    second = client.crm.deals.batch_api.update(BatchInputSimplePublicObjectBatchInput(
        inputs=[{"id": "1030", "properties": {"amount": "1"}}]))
    assert type(second).__name__ == "BatchResponseSimplePublicObject"
    assert second.results[0].properties["amount"] == "1"


def test_single_update_with_unknown_property_is_400(client, deal_ids):
    status, body, _ = api_error(client.crm.deals.basic_api.update, deal_ids[0],
                                {"properties": {"kpi_days_open": "3"}})
    assert status == 400
    assert body["message"].startswith("Property values were not valid: ")
    assert '"error":"PROPERTY_DOESNT_EXIST","name":"kpi_days_open"' in body["message"]


def test_property_create_then_409_then_writable_and_searchable(client, deal_ids):
    spec = {"name": "kpi_days_open", "label": "Days open", "type": "number", "fieldType": "number",
            "groupName": "dealinformation"}
    created = client.crm.properties.core_api.create("deals", spec)
    assert (created.name, created.hubspot_defined) == ("kpi_days_open", False)
    status, body, _ = api_error(client.crm.properties.core_api.create, "deals", spec)
    assert (status, body["category"]) == (409, "OBJECT_ALREADY_EXISTS")
    client.crm.deals.basic_api.update(deal_ids[0], {"properties": {"kpi_days_open": "42"}})
    found = client.crm.deals.search_api.do_search(public_object_search_request=PublicObjectSearchRequest(
        filter_groups=[{"filters": [{"propertyName": "kpi_days_open", "operator": "GT", "value": "40"}]}]))
    assert [r.id for r in found.results] == [deal_ids[0]]
    names = {p.name for p in client.crm.properties.core_api.get_all("deals").results}
    assert {"kpi_days_open", "dealstage", "hs_v2_date_entered_closedwon"} <= names


def test_property_group_create_and_conflict(client):
    group = client.crm.properties.groups_api.create("deals", {"name": "crm_kpi", "label": "crm-kpi"})
    assert group.name == "crm_kpi"
    status, _, _ = api_error(client.crm.properties.groups_api.create, "deals", {"name": "crm_kpi", "label": "x"})
    assert status == 409


SNAPSHOT_SCHEMA = {
    "name": "kpi_snapshot", "labels": {"singular": "KPI snapshot", "plural": "KPI snapshots"},
    "primaryDisplayProperty": "snapshot_key", "requiredProperties": ["snapshot_key"],
    "searchableProperties": ["snapshot_key"], "associatedObjects": ["CONTACT"],
    "properties": [{"name": "snapshot_key", "label": "Key", "type": "string", "fieldType": "text",
                    "hasUniqueValue": True},
                   {"name": "value", "label": "Value", "type": "number", "fieldType": "number"}]}


def test_custom_object_schema_becomes_an_object_type(client):
    schema = client.crm.schemas.core_api.create(SNAPSHOT_SCHEMA)
    assert schema.object_type_id.startswith("2-")
    batch = client.crm.objects.batch_api.upsert(schema.object_type_id, BatchInputSimplePublicObjectBatchInputUpsert(
        inputs=[{"id": "win_rate|org|2026-01", "idProperty": "snapshot_key", "properties": {"value": "0.25"}}]))
    assert batch.results[0].new is True
    again = client.crm.objects.batch_api.upsert("kpi_snapshot", BatchInputSimplePublicObjectBatchInputUpsert(
        inputs=[{"id": "win_rate|org|2026-01", "idProperty": "snapshot_key", "properties": {"value": "0.5"}}]))
    assert again.results[0].new is False and again.results[0].id == batch.results[0].id
    page = client.crm.objects.basic_api.get_page(schema.fully_qualified_name, properties=["value"])
    assert [r.properties["value"] for r in page.results] == ["0.5"]
    assert [s.name for s in client.crm.schemas.core_api.get_all().results] == ["kpi_snapshot"]


def test_non_enterprise_portal_refuses_schemas_with_403(hub_state):
    with Sandbox(crm="hubspot", org=tiny_portal(tier="professional"), state_dir=hub_state) as pro:
        status, body, _ = api_error(client_for(pro).crm.schemas.core_api.create, SNAPSHOT_SCHEMA)
    assert (status, body["category"]) == (403, "MISSING_SCOPES")
    assert body["errors"][0]["context"] == {"requiredGranularScopes": ["crm.schemas.custom.write"]}
