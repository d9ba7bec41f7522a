"""hubspot-api-client against injected faults and limits: 429 bodies (TEN_SECONDLY_ROLLING with and without
Retry-After, DAILY), 5xx, 401 on an expired session then a refresh through /oauth/v1/token."""

from __future__ import annotations

import pytest
import urllib3
from hs_client import api_error, client_for, ledger_count
from tiny_portal import tiny_portal

from sandbox.clock import ManualClock
from sandbox.runtime import Sandbox


@pytest.fixture(scope="module")
def faulty(hub_state):
    # Calls to objects_list: 1st → 429 with Retry-After 2, 2nd → 429 without, 3rd → DAILY, 4th → 503,
    # 5th → 500; the 6th is answered normally and the expire rule then invalidates every token.
    plan = ("429@label=objects_list,calls=1,retry_after=2;429@label=objects_list,calls=2;"
            "daily@label=objects_list,calls=3;503@label=objects_list,calls=4;500@label=objects_list,calls=5;"
            "expire@after=6")
    running = Sandbox(crm="hubspot", org=tiny_portal(), state_dir=hub_state, faults=plan).start()
    yield running
    running.stop()


def test_fault_sequence_then_expiry_and_refresh(faulty):
    client = client_for(faulty, retry=urllib3.Retry(0))
    get_page = client.crm.deals.basic_api.get_page

    status, body, headers = api_error(get_page)
    assert (status, body["policyName"], body["errorType"]) == (429, "TEN_SECONDLY_ROLLING", "RATE_LIMIT")
    assert body["message"] == "You have reached your ten_secondly_rolling limit."
    assert headers["Retry-After"] == "2"

    status, body, headers = api_error(get_page)
    assert (status, body["policyName"]) == (429, "TEN_SECONDLY_ROLLING")
    assert "Retry-After" not in headers

    status, body, _ = api_error(get_page)
    assert (status, body["policyName"], body["message"]) == (429, "DAILY", "You have reached your daily limit.")

    status, body, _ = api_error(get_page)
    assert (status, body["category"]) == (503, "SERVICE_UNAVAILABLE")
    status, body, _ = api_error(get_page)
    assert (status, body["category"]) == (500, "INTERNAL_ERROR")

    assert len(get_page(limit=3).results) == 3  # 6th call served; the session then expires
    status, body, _ = api_error(get_page)
    assert (status, body["category"]) == (401, "EXPIRED_AUTHENTICATION")

    tokens = client.oauth.tokens_api.create(grant_type="refresh_token", client_id=faulty.client_id,
                                            client_secret=faulty.client_secret, refresh_token=faulty.refresh_token)
    assert tokens.token_type == "bearer" and tokens.expires_in > 0
    assert len(client_for(faulty, tokens.access_token).crm.deals.basic_api.get_page(limit=2).results) == 2
    # what the ledger saw for the list endpoint: 429, 429, 429, 503, 500, 200, 401, 200
    assert ledger_count(faulty, "objects_list", expected=8) == 8
    assert [c.status for c in faulty.ledger.calls("objects_list")] == [429, 429, 429, 503, 500, 200, 401, 200]


def test_unknown_token_is_401_invalid_authentication(faulty):
    status, body, _ = api_error(client_for(faulty, "not-a-token").crm.owners.owners_api.get_page)
    assert (status, body["category"]) == (401, "INVALID_AUTHENTICATION")


def test_bad_refresh_token_is_400_bad_refresh_token(faulty):
    status, body, _ = api_error(client_for(faulty).oauth.tokens_api.create, grant_type="refresh_token",
                                client_id=faulty.client_id, client_secret=faulty.client_secret,
                                refresh_token="nope")
    assert (status, body["status"]) == (400, "BAD_REFRESH_TOKEN")


def test_burst_limit_answers_429_with_retry_after_and_headers_count_down(hub_state):
    clock = ManualClock()
    with Sandbox(crm="hubspot", org=tiny_portal(), state_dir=hub_state, limits="burst=2/10", clock=clock) as sb:
        http = urllib3.PoolManager(ca_certs=sb.ca_file, retries=False)
        auth = {"Authorization": f"Bearer {sb.token}"}
        url = sb.base_url + "/crm/v3/objects/contacts?limit=1"
        remaining = [http.request("GET", url, headers=auth).headers["X-HubSpot-RateLimit-Remaining"]
                     for _ in range(2)]
        assert remaining == ["1", "0"]
        refused = http.request("GET", url, headers=auth)
        assert refused.status == 429 and refused.json()["policyName"] == "TEN_SECONDLY_ROLLING"
        assert "Retry-After" in refused.headers
        clock.advance(10)
        assert http.request("GET", url, headers=auth).status == 200


def test_default_client_itself_retries_a_get_answered_429_with_retry_after(hub_state):
    """urllib3's default Retry(3) honours Retry-After on 429/503 for GET: the client sleeps and retries."""
    with Sandbox(crm="hubspot", org=tiny_portal(), state_dir=hub_state,
                 faults="429@label=objects_list,calls=1,retry_after=1") as sb:
        assert len(client_for(sb).crm.deals.basic_api.get_page(limit=1).results) == 1
        assert ledger_count(sb, "objects_list", expected=2) == 2
        assert [c.status for c in sb.ledger.calls("objects_list")] == [429, 200]


def test_a_bug_in_a_route_answers_hubspots_500_body(sandbox, monkeypatch):
    monkeypatch.setattr(sandbox.store, "owners", None)  # the owners route then fails on `None.values()`
    http = urllib3.PoolManager(ca_certs=sandbox.ca_file, retries=False)
    response = http.request("GET", sandbox.base_url + "/crm/v3/owners",
                            headers={"Authorization": f"Bearer {sandbox.token}"})
    assert response.status == 500
    assert response.json()["category"] == "INTERNAL_ERROR"  # JSON as HubSpot words it, not text/plain
