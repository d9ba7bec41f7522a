"""hubspot-api-client (strict validation) reading the sandbox: paging, get, search, owners, pipelines."""

from __future__ import annotations

from datetime import UTC

from hs_client import api_error
from hubspot.crm.objects import PublicObjectSearchRequest
from tiny_portal import N_CONTACTS, N_DEALS


def page_all(api, **kwargs):
    """Follow `paging.next.after` to the end; returns (records, pages)."""
    records, pages, after = [], 0, None
    while True:
        page = api.get_page(limit=10, after=after, **kwargs)
        pages += 1
        records += page.results
        if page.paging is None:
            return records, pages
        after = page.paging.next.after


def test_get_page_pages_through_every_deal_and_contact(client, sandbox):
    deals, deal_pages = page_all(client.crm.deals.basic_api, properties=["dealstage", "hubspot_owner_id"])
    contacts, contact_pages = page_all(client.crm.contacts.basic_api)
    # 25 deals at 10 a page: 3 pages (10, 10, 5); 12 contacts: 2 pages.
    assert (len(deals), deal_pages) == (N_DEALS, 3)
    assert (len(contacts), contact_pages) == (N_CONTACTS, 2)
    assert len({d.id for d in deals}) == N_DEALS
    assert deals[0].properties["dealstage"] == "appointmentscheduled"
    assert deals[0].properties["hubspot_owner_id"] == "101"


def test_get_by_id_and_id_property(client):
    first = client.crm.contacts.basic_api.get_page(limit=1).results[0]
    again = client.crm.contacts.basic_api.get_by_id(first.id, properties=["lifecyclestage"])
    assert again.properties["email"] == "lead0@example.com"
    assert again.properties["lifecyclestage"] == "lead"
    by_email = client.crm.contacts.basic_api.get_by_id("lead3@example.com", id_property="email")
    assert by_email.properties["firstname"] == "Lead3"


def test_get_missing_id_is_404_object_not_found(client):
    status, body, _ = api_error(client.crm.deals.basic_api.get_by_id, "999999")
    assert status == 404
    assert body["category"] == "OBJECT_NOT_FOUND"
    assert body["message"] == "Object not found.  objectId are usually numeric."


def test_stage_history_with_properties_with_history(client, sandbox):
    deal = client.crm.deals.basic_api.get_page(limit=1).results[0]
    sandbox.store.edit("deals", deal.id, {"dealstage": "qualifiedtobuy"})
    again = client.crm.deals.basic_api.get_by_id(deal.id, properties_with_history=["dealstage"])
    history = again.properties_with_history["dealstage"]
    # newest first: the edit, then the value it was created with
    assert [h.value for h in history] == ["qualifiedtobuy", "appointmentscheduled"]
    assert history[0].source_type == "CRM_UI"
    sandbox.store.edit("deals", deal.id, {"dealstage": "appointmentscheduled"})


def test_search_filters_sorts_and_paging(client):
    request = PublicObjectSearchRequest(
        filter_groups=[{"filters": [{"propertyName": "amount", "operator": "GTE", "value": "10000"},
                                    {"propertyName": "dealstage", "operator": "IN",
                                     "values": ["closedwon", "closedlost"]}]}],
        sorts=["amount"], properties=["amount", "dealstage"], limit=3)
    first = client.crm.deals.search_api.do_search(public_object_search_request=request)
    # amounts 1000*(i+1) >= 10000 → i >= 9; stage closedwon/closedlost → i % 5 in (3, 4):
    # i = 9, 13, 14, 18, 19, 23, 24 → 7 deals; ascending amounts 10000, 14000, 15000, ...
    assert first.total == 7
    assert [r.properties["amount"] for r in first.results] == ["10000", "14000", "15000"]
    assert first.paging.next.after == "3"
    request.after = first.paging.next.after
    second = client.crm.deals.search_api.do_search(public_object_search_request=request)
    assert [r.properties["amount"] for r in second.results] == ["19000", "20000", "24000"]
    request.after = second.paging.next.after
    third = client.crm.deals.search_api.do_search(public_object_search_request=request)
    assert [r.properties["amount"] for r in third.results] == ["25000"]
    assert third.paging is None


def test_search_or_groups_between_has_property_and_tokens(client):
    search = client.crm.deals.search_api.do_search
    # OR of two groups: amount BETWEEN 1000 and 3000 (deals 0,1,2) or dealname token "Deal 24"
    result = search(public_object_search_request=PublicObjectSearchRequest(filter_groups=[
        {"filters": [{"propertyName": "amount", "operator": "BETWEEN", "value": "1000", "highValue": "3000"}]},
        {"filters": [{"propertyName": "dealname", "operator": "CONTAINS_TOKEN", "value": "24"}]}], limit=10))
    assert result.total == 4
    none = search(public_object_search_request=PublicObjectSearchRequest(filter_groups=[
        {"filters": [{"propertyName": "description", "operator": "HAS_PROPERTY"}]}]))
    assert none.total == 0
    not_in = search(public_object_search_request=PublicObjectSearchRequest(filter_groups=[
        {"filters": [{"propertyName": "dealstage", "operator": "NOT_IN", "values": ["closedwon", "closedlost"]},
                     {"propertyName": "hubspot_owner_id", "operator": "EQ", "value": "101"}]}]))
    # i even (owner 101) and i % 5 in (0, 1, 2): i in {0, 2, 6, 10, 12, 16, 20, 22} → 8
    assert not_in.total == 8


def test_search_datetime_filter_takes_epoch_millis(client):
    # every deal has hs_lastmodifieddate in January 2024; 1704067200000 = 2024-01-01T00:00:00Z
    result = client.crm.deals.search_api.do_search(public_object_search_request=PublicObjectSearchRequest(
        filter_groups=[{"filters": [{"propertyName": "hs_lastmodifieddate", "operator": "GT",
                                     "value": "1704067200000"}]}]))
    assert result.total == N_DEALS


def test_search_past_ten_thousand_is_400(client):
    status, body, _ = api_error(client.crm.deals.search_api.do_search,
                                public_object_search_request=PublicObjectSearchRequest(after="10000", limit=100))
    assert (status, body["category"]) == (400, "VALIDATION_ERROR")


def test_search_limit_over_200_is_400(client):
    status, _, _ = api_error(client.crm.deals.search_api.do_search,
                             public_object_search_request=PublicObjectSearchRequest(limit=201))
    assert status == 400


def test_archived_records_list_only_with_archived_true_and_never_in_search(client, sandbox):
    victim = sandbox.store.add("contacts", {"email": "gone@example.com", "firstname": "Gone"})
    assert sandbox.store.delete("contacts", victim.id)
    archived = client.crm.contacts.basic_api.get_page(archived=True, limit=100)
    assert [r.id for r in archived.results] == [victim.id]
    assert archived.results[0].archived is True and archived.results[0].archived_at is not None
    live, _ = page_all(client.crm.contacts.basic_api)
    assert victim.id not in {r.id for r in live}
    found = client.crm.contacts.search_api.do_search(public_object_search_request=PublicObjectSearchRequest(
        filter_groups=[{"filters": [{"propertyName": "email", "operator": "EQ", "value": "gone@example.com"}]}]))
    assert found.total == 0


def test_owners_with_teams(client):
    owners = client.crm.owners.owners_api.get_page()
    assert [(o.email, o.teams[0].name) for o in owners.results] == [("ann@example.com", "EMEA"),
                                                                     ("bob@example.com", "US")]
    assert owners.results[0].user_id == 9001


def test_pipelines_with_stages(client):
    pipelines = client.crm.pipelines.pipelines_api.get_all("deals")
    stages = pipelines.results[0].stages
    assert [s.id for s in stages][:2] == ["appointmentscheduled", "qualifiedtobuy"]
    won = next(s for s in stages if s.id == "closedwon")
    assert won.metadata == {"isClosed": "true", "probability": "1.0"}


def test_v4_association_batch_read(client, sandbox):
    deals = client.crm.deals.basic_api.get_page(limit=2).results
    missing = "999999"
    result = client.crm.associations.v4.batch_api.get_page(
        "deals", "companies", {"inputs": [{"id": deals[0].id}, {"id": deals[1].id}, {"id": missing}]})
    assert [r._from.id for r in result.results] == [deals[0].id, deals[1].id]
    types = {t.type_id: t.label for t in result.results[0].to[0].association_types}
    assert types == {5: "Primary", 341: None}  # deal→company primary and unlabeled
    assert result.num_errors == 1


def test_rate_limit_headers_on_lists_but_not_search(sandbox):
    import urllib3
    http = urllib3.PoolManager(ca_certs=sandbox.ca_file)
    auth = {"Authorization": f"Bearer {sandbox.token}", "Content-Type": "application/json"}
    listed = http.request("GET", sandbox.base_url + "/crm/v3/objects/deals?limit=1", headers=auth)
    searched = http.request("POST", sandbox.base_url + "/crm/v3/objects/deals/search", body=b"{}", headers=auth)
    assert listed.headers["X-HubSpot-RateLimit-Max"] == "190"
    assert int(listed.headers["X-HubSpot-RateLimit-Daily-Remaining"]) < 1_000_000
    assert "X-HubSpot-RateLimit-Max" not in searched.headers


def test_search_hands_out_the_cursor_to_10000_then_refuses(hub_state):
    """10,001 matching contacts: the page ending at result 10,000 still has `paging.next.after` = "10000",
    and following it is the real 400 — a connector must restart the filter from the last hs_object_id."""
    from datetime import datetime

    from hs_client import client_for

    from sandbox.hubspot.portal import Portal
    from sandbox.runtime import Sandbox

    portal, moment = Portal(), datetime(2024, 1, 1, tzinfo=UTC)
    for i in range(10_001):
        portal.store.load("contacts", str(1000 + i), {"email": f"c{i}@example.com"}, moment, moment)
    with Sandbox(crm="hubspot", org=portal, state_dir=hub_state) as sb:
        search = client_for(sb).crm.contacts.search_api.do_search
        page = search(public_object_search_request=PublicObjectSearchRequest(after="9800", limit=200))
        assert (page.total, len(page.results), page.paging.next.after) == (10_001, 200, "10000")
        assert page.results[-1].id == str(1000 + 9_999)  # default order: ascending id
        status, body, _ = api_error(search, public_object_search_request=PublicObjectSearchRequest(
            after=page.paging.next.after, limit=200))
        assert (status, body["category"]) == (400, "VALIDATION_ERROR")
        restarted = search(public_object_search_request=PublicObjectSearchRequest(
            filter_groups=[{"filters": [{"propertyName": "hs_object_id", "operator": "GT",
                                         "value": page.results[-1].id}]}], sorts=["hs_object_id"], limit=200))
        assert [r.id for r in restarted.results] == [str(1000 + 10_000)]
