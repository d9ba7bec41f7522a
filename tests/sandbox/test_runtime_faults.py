"""Each fault kind as a real client sees it through requests or urllib3."""

from __future__ import annotations

import pytest
import requests
import urllib3
from trusting_session import session_for


def test_429_with_retry_after(start_dummy) -> None:
    sandbox = start_dummy(faults="429@calls=1,retry_after=2")
    session = session_for(sandbox)
    first = session.get(f"{sandbox.base_url}/records")
    assert (first.status_code, first.headers.get("Retry-After")) == (429, "2")
    assert session.get(f"{sandbox.base_url}/records").status_code == 200


def test_429_without_retry_after(start_dummy) -> None:
    sandbox = start_dummy(faults="429@calls=1")
    first = session_for(sandbox).get(f"{sandbox.base_url}/records")
    assert first.status_code == 429
    assert "Retry-After" not in first.headers


def test_schedule_hits_the_chosen_calls_of_one_label(start_dummy) -> None:
    sandbox = start_dummy(faults="503@label=records,calls=2,3;500@label=search,calls=1")
    session = session_for(sandbox)
    statuses = [session.get(f"{sandbox.base_url}/records").status_code for _ in range(4)]
    searches = [session.get(f"{sandbox.base_url}/search").status_code for _ in range(2)]
    # records: calls 2 and 3 are 503; search: its own first call is 500.
    assert statuses == [200, 503, 503, 200]
    assert searches == [500, 200]
    assert sandbox.ledger.count("records", status=503) == 2


def test_daily_fault_uses_the_dialect_daily_answer(start_dummy) -> None:
    sandbox = start_dummy(faults="daily@calls=1")
    response = session_for(sandbox).get(f"{sandbox.base_url}/records")
    assert (response.status_code, response.json()) == (403, {"error": "daily"})


def test_dropped_connection_is_a_connection_error_for_requests(start_dummy) -> None:
    sandbox = start_dummy(faults="drop@calls=1")
    session = session_for(sandbox)
    with pytest.raises(requests.exceptions.ConnectionError):
        session.get(f"{sandbox.base_url}/records")
    assert session.get(f"{sandbox.base_url}/records").status_code == 200
    assert [call.status for call in sandbox.ledger.calls()] == [0, 200]


def test_dropped_connection_is_a_protocol_error_for_urllib3(start_dummy) -> None:
    sandbox = start_dummy(faults="drop@calls=1")
    pool = urllib3.PoolManager(ca_certs=sandbox.ca_file, retries=False)
    with pytest.raises(urllib3.exceptions.ProtocolError):
        pool.request("GET", f"{sandbox.base_url}/records", headers={"Authorization": f"Bearer {sandbox.token}"})


def test_urllib3_default_retries_hide_one_dropped_read(start_dummy) -> None:
    # hubspot-api-client leaves urllib3's default Retry(3): a dropped GET is silently sent again.
    sandbox = start_dummy(faults="drop@calls=1")
    pool = urllib3.PoolManager(ca_certs=sandbox.ca_file)
    response = pool.request("GET", f"{sandbox.base_url}/records", headers={"Authorization": f"Bearer {sandbox.token}"})
    assert response.status == 200
    assert [call.status for call in sandbox.ledger.calls()] == [0, 200]


def test_slow_response_trips_a_client_timeout(start_dummy) -> None:
    sandbox = start_dummy(faults="slow@calls=1,delay=0.5")  # the 0.2 s timeout trips well before
    session = session_for(sandbox)
    with pytest.raises(requests.exceptions.ReadTimeout):
        session.get(f"{sandbox.base_url}/records", timeout=0.2)
    assert session.get(f"{sandbox.base_url}/records", timeout=5).status_code == 200


def test_session_expiry_then_refresh(start_dummy) -> None:
    sandbox = start_dummy(faults="expire@after=2")
    session = session_for(sandbox)
    url = f"{sandbox.base_url}/records"
    assert [session.get(url).status_code for _ in range(2)] == [200, 200]
    expired = session.get(url)
    assert (expired.status_code, expired.json()) == (401, {"error": "expired"})
    assert session.get(url).status_code == 401  # stays expired until the client refreshes
    refreshed = session.post(f"{sandbox.base_url}/oauth/token",
                             data={"grant_type": "refresh_token", "refresh_token": sandbox.refresh_token})
    session.headers["Authorization"] = f"Bearer {refreshed.json()['access_token']}"
    assert session.get(url).status_code == 200


def test_public_endpoint_is_not_faulted_by_unlabelled_rules(start_dummy) -> None:
    sandbox = start_dummy(faults="500@rate=1")
    session = session_for(sandbox)
    assert session.get(f"{sandbox.base_url}/records").status_code == 500
    token = session.post(f"{sandbox.base_url}/oauth/token",
                         data={"client_id": sandbox.client_id, "client_secret": sandbox.client_secret})
    assert token.status_code == 200
    assert token.json()["access_token"].startswith("dummy!")


def test_record_lock_fails_chosen_records_a_set_number_of_times(start_dummy) -> None:
    sandbox = start_dummy(faults="lock@ids=002,times=1")
    session = session_for(sandbox)
    first = session.post(f"{sandbox.base_url}/write", json={"ids": ["001", "002"]}).json()
    second = session.post(f"{sandbox.base_url}/write", json={"ids": ["001", "002"]}).json()
    assert [(row["id"], row["success"], row["error"]) for row in first] == [("001", True, None), ("002", False, "lock")]
    assert all(row["success"] for row in second)


def test_store_edits_show_in_the_next_read(start_dummy) -> None:
    sandbox = start_dummy()
    sandbox.store["003"] = {"Name": "Initech"}
    del sandbox.store["001"]
    ids = [row["id"] for row in session_for(sandbox).get(f"{sandbox.base_url}/records").json()["records"]]
    assert ids == ["002", "003"]
