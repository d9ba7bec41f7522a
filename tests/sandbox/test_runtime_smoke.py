"""The runtime serves a CRM app over trusted HTTPS, records calls and checks tokens."""

from __future__ import annotations

from conftest import session_for


def test_dummy_app_served_and_counted(start_dummy) -> None:
    sandbox = start_dummy()
    session = session_for(sandbox)
    body = session.get(f"{sandbox.base_url}/records").json()
    assert [record["id"] for record in body["records"]] == ["001", "002"]
    session.get(f"{sandbox.base_url}/search")
    # Two calls, one per label, both 200.
    assert sandbox.ledger.count() == 2
    assert sandbox.ledger.count("records") == 1
    assert sandbox.ledger.count("search", status=200) == 1


def test_unknown_token_is_refused(start_dummy) -> None:
    sandbox = start_dummy()
    response = session_for(sandbox, token="not-issued-here").get(f"{sandbox.base_url}/records")
    assert response.status_code == 401
    assert response.json() == {"error": "invalid"}
