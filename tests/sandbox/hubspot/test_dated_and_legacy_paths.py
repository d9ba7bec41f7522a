"""HubSpot's dated API paths (`/crm/objects/2026-03/...`, `/crm/properties/2026-03/...`, `/oauth/2026-03/token`)
answer as their v3/v1 twins, and the legacy property listings discovery tools call
(`/properties/v1/{deals|contacts|companies}/properties`, `/properties/v2/{objectType}/properties`) answer
in their documented shape."""

from __future__ import annotations

from typing import Any

import pytest
import requests
from hs_client import ledger_count
from tiny_portal import N_CONTACTS, N_DEALS

from sandbox.runtime import RunningSandbox

# The fields of a property in HubSpot's legacy v1 reference (Get all contact / deal properties).
LEGACY_FIELDS = {"name", "label", "description", "groupName", "type", "fieldType", "options", "displayOrder",
                 "formField", "readOnlyValue", "readOnlyDefinition", "hidden", "mutableDefinitionNotDeletable",
                 "favorited", "favoritedOrder", "calculated", "externalOptions", "displayMode", "deleted",
                 "hubspotDefined", "createdAt", "updatedAt", "createdUserId", "updatedUserId"}
LEGACY_OPTION_FIELDS = {"description", "label", "value", "displayOrder", "hidden", "readOnly", "doubleData"}


@pytest.fixture(scope="module")
def http(sandbox: RunningSandbox) -> requests.Session:
    session = requests.Session()
    session.trust_env = False
    session.verify = sandbox.ca_file
    session.headers["Authorization"] = f"Bearer {sandbox.token}"
    return session


def _get(http: requests.Session, sandbox: RunningSandbox, path: str, **params: Any) -> Any:
    response = http.get(sandbox.base_url + path, params=params)
    assert response.status_code == 200, (path, response.status_code, response.text)
    return response.json()


def test_dated_object_list_pages_like_v3(http: requests.Session, sandbox: RunningSandbox) -> None:
    v3 = _get(http, sandbox, "/crm/v3/objects/deals", limit=10, properties="dealname")
    dated = _get(http, sandbox, "/crm/objects/2026-03/deals", limit=10, properties="dealname")
    assert [r["id"] for r in dated["results"]] == [r["id"] for r in v3["results"]]
    assert len(dated["results"]) == 10
    # the next-page link stays on the dated path the client used
    link = dated["paging"]["next"]["link"]
    assert link.startswith(sandbox.base_url + "/crm/objects/2026-03/deals?after=")
    ids, after = [], None
    while True:
        page = _get(http, sandbox, "/crm/objects/2026-03/deals", limit=10, **({"after": after} if after else {}))
        ids += [r["id"] for r in page["results"]]
        after = page.get("paging", {}).get("next", {}).get("after")
        if after is None:
            break
    assert len(ids) == N_DEALS == len(set(ids))  # 25 deals: pages of 10, 10, 5


def test_dated_get_search_and_batch(http: requests.Session, sandbox: RunningSandbox) -> None:
    first = _get(http, sandbox, "/crm/objects/2026-03/contacts", limit=1)["results"][0]
    one = _get(http, sandbox, f"/crm/objects/2026-03/contacts/{first['id']}", properties="email")
    assert one["id"] == first["id"] and one["properties"]["email"].endswith("@example.com")
    search = http.post(sandbox.base_url + "/crm/objects/2026-03/contacts/search", json={"limit": 5})
    assert search.status_code == 200 and search.json()["total"] == N_CONTACTS
    batch = http.post(sandbox.base_url + "/crm/objects/2026-03/contacts/batch/read",
                      json={"inputs": [{"id": first["id"]}], "properties": ["email"]})
    assert batch.status_code == 200 and [r["id"] for r in batch.json()["results"]] == [first["id"]]
    assert ledger_count(sandbox, "search") >= 1 and ledger_count(sandbox, "batch_read") >= 1


def test_dated_properties_match_v3(http: requests.Session, sandbox: RunningSandbox) -> None:
    v3 = _get(http, sandbox, "/crm/v3/properties/deals")["results"]
    dated = _get(http, sandbox, "/crm/properties/2026-03/deals")["results"]
    assert dated == v3 and any(p["name"] == "dealname" for p in dated)
    assert _get(http, sandbox, "/crm/properties/2026-03/deals/amount")["type"] == "number"


def test_dated_oauth_token_is_public_and_refreshes(sandbox: RunningSandbox) -> None:
    session = requests.Session()
    session.trust_env = False
    session.verify = sandbox.ca_file  # no Authorization header: the token endpoint is public
    before = sandbox.limits.snapshot().daily_used
    answer = session.post(sandbox.base_url + "/oauth/2026-03/token", data={
        "grant_type": "refresh_token", "refresh_token": sandbox.refresh_token,
        "client_id": sandbox.client_id, "client_secret": sandbox.client_secret})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert set(body) == {"token_type", "refresh_token", "access_token", "expires_in"}
    assert sandbox.tokens.is_valid(body["access_token"])
    assert sandbox.ledger.calls(label="oauth_token")[-1].path == "/oauth/2026-03/token"
    assert sandbox.limits.snapshot().daily_used == before  # the token endpoint uses no allocation


@pytest.mark.parametrize("path", ["/properties/v1/deals/properties", "/properties/v1/deals/properties/",
                                  "/properties/v2/deals/properties"])
def test_legacy_deal_property_listing(http: requests.Session, sandbox: RunningSandbox, path: str) -> None:
    listing = _get(http, sandbox, path)
    assert isinstance(listing, list)  # a bare array, not {"results": ...}
    v3 = {p["name"]: p for p in _get(http, sandbox, "/crm/v3/properties/deals")["results"]}
    assert {p["name"] for p in listing} == set(v3)
    for prop in listing:
        assert set(prop) == LEGACY_FIELDS
        assert isinstance(prop["createdAt"], int) and isinstance(prop["updatedAt"], int)
        assert prop["type"] == v3[prop["name"]]["type"] and prop["fieldType"] == v3[prop["name"]]["fieldType"]
        assert prop["readOnlyValue"] is v3[prop["name"]]["modificationMetadata"]["readOnlyValue"]
        for option in prop["options"]:
            assert set(option) == LEGACY_OPTION_FIELDS
    stage = next(p for p in listing if p["name"] == "dealstage")
    assert stage["type"] == "enumeration" and "closedwon" in {o["value"] for o in stage["options"]}


@pytest.mark.parametrize("object_type", ["contacts", "companies"])
def test_legacy_v1_contacts_and_companies(http: requests.Session, sandbox: RunningSandbox,
                                          object_type: str) -> None:
    names = {p["name"] for p in _get(http, sandbox, f"/properties/v1/{object_type}/properties")}
    v3 = {p["name"] for p in _get(http, sandbox, f"/crm/v3/properties/{object_type}")["results"]}
    assert names == v3 and ("email" in names if object_type == "contacts" else "name" in names)


def test_legacy_listings_leave_out_archived_and_v1_only_serves_its_objects(
        http: requests.Session, sandbox: RunningSandbox) -> None:
    created = http.post(sandbox.base_url + "/crm/v3/properties/products", json={
        "name": "legacy_probe", "label": "Legacy probe", "type": "string", "fieldType": "text",
        "groupName": "productinformation"})
    assert created.status_code == 201, created.text
    assert "legacy_probe" in {p["name"] for p in _get(http, sandbox, "/properties/v2/products/properties")}
    assert http.delete(sandbox.base_url + "/crm/v3/properties/products/legacy_probe").status_code == 204
    assert "legacy_probe" not in {p["name"] for p in _get(http, sandbox, "/properties/v2/products/properties")}
    assert http.get(sandbox.base_url + "/properties/v1/products/properties").status_code == 404
