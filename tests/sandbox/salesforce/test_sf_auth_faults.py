"""OAuth flows and every error shape: expired sessions, daily limit, 503, UNABLE_TO_LOCK_ROW per record."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import jwt
import pytest
from sf_clients import client, http_session
from simple_salesforce.exceptions import (
    SalesforceExpiredSession,
    SalesforceGeneralError,
    SalesforceRefusedRequest,
)

from sandbox.runtime import RunningSandbox, Sandbox
from sandbox.salesforce.jwt_keys import ensure_jwt_keys
from sandbox.salesforce.org import INTEGRATION_USER, render_org


@pytest.fixture(scope="module")
def faulty(sf_state: Path) -> Iterator[RunningSandbox]:
    """Calls labelled `limits` fail with 503 on the 1st call and the daily allocation is 40 calls."""
    store = render_org(None)
    with Sandbox(crm="salesforce", org=store, state_dir=sf_state, faults="503@label=limits,calls=1",
                 limits="daily=40") as running:
        yield running


def _token(sb: RunningSandbox, **form: str) -> tuple[int, dict]:
    response = http_session(sb.ca_file).post(f"{sb.base_url}/services/oauth2/token", data=form)
    return response.status_code, response.json()


def test_client_credentials_and_refresh(sandbox: RunningSandbox) -> None:
    status, body = _token(sandbox, grant_type="client_credentials", client_id=sandbox.client_id,
                          client_secret=sandbox.client_secret)
    assert status == 200 and set(body) >= {"access_token", "instance_url", "id", "token_type", "issued_at",
                                           "signature"}
    assert body["instance_url"] == sandbox.base_url and body["access_token"].startswith("00D")
    assert client(sandbox, body["access_token"]).query("SELECT COUNT() FROM User")["totalSize"] == 1
    status, body = _token(sandbox, grant_type="client_credentials", client_id=sandbox.client_id,
                          client_secret="wrong")
    assert (status, body["error"]) == (400, "invalid_client")
    status, body = _token(sandbox, grant_type="refresh_token", client_id=sandbox.client_id,
                          refresh_token=sandbox.refresh_token)
    assert status == 200 and body["access_token"] != sandbox.token
    status, body = _token(sandbox, grant_type="refresh_token", client_id=sandbox.client_id,
                          refresh_token="not-issued-here")
    assert (status, body) == (400, {"error": "invalid_grant", "error_description": "expired access/refresh token"})


def test_jwt_bearer(sandbox: RunningSandbox) -> None:
    keys = ensure_jwt_keys(sandbox.runtime.state_dir)
    claims = {"iss": sandbox.client_id, "sub": INTEGRATION_USER, "aud": "https://login.salesforce.com",
              "exp": int(time.time()) + 180}
    assertion = jwt.encode(claims, keys.private_key_file.read_bytes(), algorithm="RS256")
    status, body = _token(sandbox, grant_type="urn:ietf:params:oauth:grant-type:jwt-bearer", assertion=assertion)
    assert status == 200 and body["id"].endswith(sandbox.store.api_user_id)
    other_key = jwt.encode(claims, "a-shared-secret-that-is-not-the-key", algorithm="HS256")
    status, body = _token(sandbox, grant_type="urn:ietf:params:oauth:grant-type:jwt-bearer", assertion=other_key)
    assert (status, body["error"]) == (400, "invalid_grant")
    unknown_user = jwt.encode({**claims, "sub": "nobody@example.com"}, keys.private_key_file.read_bytes(),
                              algorithm="RS256")
    status, body = _token(sandbox, grant_type="urn:ietf:params:oauth:grant-type:jwt-bearer",
                          assertion=unknown_user)
    assert (status, body["error"]) == (400, "invalid_grant")


def test_expired_session_is_invalid_session_id(sandbox: RunningSandbox) -> None:
    token = sandbox.issue_token().access_token
    sf = client(sandbox, token)
    sf.query("SELECT Id FROM User")
    sandbox.tokens.revoke(token)
    with pytest.raises(SalesforceExpiredSession) as expired:
        sf.query("SELECT Id FROM User")
    assert expired.value.content == [{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}]


def test_unable_to_lock_row_per_record(sandbox: RunningSandbox) -> None:
    sf = client(sandbox)
    ids = [sf.Account.create({"Name": f"Lock {i}"})["id"] for i in range(3)]
    sandbox.store.locked_ids.add(ids[1])
    try:
        results = sf.restful("composite/sobjects", method="PATCH", json={"records": [
            {"attributes": {"type": "Account"}, "id": i, "Industry": "Retail"} for i in ids]})
    finally:
        sandbox.store.locked_ids.clear()
    assert [r["success"] for r in results] == [True, False, True]
    assert results[1]["errors"][0]["statusCode"] == "UNABLE_TO_LOCK_ROW"


def test_503_then_daily_limit(faulty: RunningSandbox) -> None:
    sf = client(faulty)
    with pytest.raises(SalesforceGeneralError) as unavailable:
        sf.limits()
    assert unavailable.value.status == 503
    assert unavailable.value.content[0]["errorCode"] == "SERVER_UNAVAILABLE"
    with pytest.raises(SalesforceRefusedRequest) as refused:
        for _ in range(41):  # the allocation is 40 calls
            sf.query("SELECT Id FROM User")
    assert refused.value.content == [{"message": "TotalRequests Limit exceeded.",
                                       "errorCode": "REQUEST_LIMIT_EXCEEDED"}]


def test_a_bug_in_an_endpoint_answers_salesforces_500_body(sandbox: RunningSandbox,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object) -> None:
        raise RuntimeError("a bug in the sandbox")

    monkeypatch.setattr(sandbox.store, "describe", broken)
    session = http_session(sandbox.ca_file)
    response = session.get(f"{sandbox.base_url}/services/data/v62.0/sobjects/Account/describe",
                           headers={"Authorization": f"Bearer {sandbox.token}"})
    assert response.status_code == 500
    assert response.json()[0]["errorCode"] == "UNKNOWN_EXCEPTION"  # JSON as Salesforce words it, not text/plain
