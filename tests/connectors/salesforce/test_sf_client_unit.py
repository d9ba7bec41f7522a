"""requests-level logic with `responses`: OAuth flows, classifying answers, the budget from headers."""

from __future__ import annotations

from pathlib import Path

import jwt
import pytest
import responses
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from connectors.config import InstanceConfig
from connectors.errors import (
    AuthError,
    BudgetExhausted,
    DailyLimitReached,
    RequestRejected,
    TransientError,
)
from connectors.salesforce.auth import jwt_audience
from connectors.salesforce.client import SalesforceClient

LOGIN = "https://login.example.test"
ORG = "https://acme.my.example.test"
DATA = f"{ORG}/services/data/v59.0"
TOKEN = {
    "access_token": "00Dxx!token",
    "instance_url": ORG,
    "id": f"{LOGIN}/id/00Dxx/005000000000001AAA",
    "token_type": "Bearer",
    "issued_at": "1",
    "signature": "x",
}


@pytest.fixture(autouse=True)
def secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("UNIT_SF_ID", "consumer-key")
    monkeypatch.setenv("UNIT_SF_SECRET", "s3cret-value")
    monkeypatch.setenv("UNIT_SF_REFRESH", "r3fresh-value")


def _client(**settings: object) -> SalesforceClient:
    values = {
        "name": "acme",
        "crm": "salesforce",
        "url": LOGIN,
        "auth": "client_credentials",
        "client_id_env": "UNIT_SF_ID",
        "client_secret_env": "UNIT_SF_SECRET",
    } | settings
    return SalesforceClient(InstanceConfig(**values), sleep=lambda s: None)  # type: ignore[arg-type]


@responses.activate
def test_client_credentials_then_refresh_once_on_invalid_session() -> None:
    token = responses.post(f"{LOGIN}/services/oauth2/token", json=TOKEN)
    query = responses.get(
        f"{DATA}/query/",
        status=401,
        json=[{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}],
    )
    responses.get(
        f"{DATA}/query/",
        json={"totalSize": 0, "done": True, "records": []},
        headers={"Sforce-Limit-Info": "api-usage=41/1000"},
    )
    client = _client()
    pages = list(client.query_pages("SELECT Id FROM Account"))
    queries = [c for c in responses.calls if "/query/" in c.request.url]
    assert pages[0].records == [] and token.call_count == 2 and query.call_count == 1 and len(queries) == 2
    assert "grant_type=client_credentials" in str(responses.calls[0].request.body)
    assert client.user_id == "005000000000001AAA"
    assert (client.usage.daily_used, client.usage.daily_limit) == (41, 1000)


@responses.activate
def test_refresh_token_flow_and_a_refused_grant_names_the_fix_not_the_secret() -> None:
    responses.post(
        f"{LOGIN}/services/oauth2/token",
        status=400,
        json={"error": "invalid_grant", "error_description": "expired access/refresh token"},
    )
    client = _client(auth="refresh_token", refresh_token_env="UNIT_SF_REFRESH")
    with pytest.raises(AuthError) as refused:
        client.login()
    text = str(refused.value)
    assert "invalid_grant" in text and "issue a new refresh token" in text
    assert "r3fresh-value" not in text and "s3cret-value" not in text
    body = str(responses.calls[0].request.body)
    assert "grant_type=refresh_token" in body and "refresh_token=r3fresh-value" in body


@responses.activate
def test_jwt_bearer_signs_for_the_login_audience(tmp_path: Path) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = tmp_path / "key.pem"
    pem.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    responses.post("https://acme.my.salesforce.com/services/oauth2/token", json=TOKEN)
    client = _client(
        auth="jwt_bearer",
        url="https://acme.my.salesforce.com",
        username="int@acme.com",
        private_key_file=pem,
        client_secret_env=None,
    )
    client.login()
    assertion = dict(p.split("=", 1) for p in str(responses.calls[0].request.body).split("&"))["assertion"]
    claims = jwt.decode(
        assertion, key.public_key(), algorithms=["RS256"], audience="https://login.salesforce.com"
    )
    assert (claims["iss"], claims["sub"]) == ("consumer-key", "int@acme.com")
    assert jwt_audience("https://acme--uat.sandbox.my.salesforce.com") == "https://test.salesforce.com"
    assert jwt_audience("https://127.0.0.1:8443") == "https://127.0.0.1:8443"


@pytest.mark.parametrize(
    ("status", "body", "headers", "expected", "calls"),
    [
        (
            403,
            [{"errorCode": "REQUEST_LIMIT_EXCEEDED", "message": "TotalRequests Limit exceeded."}],
            {},
            DailyLimitReached,
            1,
        ),
        (400, [{"errorCode": "INVALID_FIELD", "message": "No such column 'Foo__c'"}], {}, RequestRejected, 1),
        (503, [{"errorCode": "SERVER_UNAVAILABLE", "message": "down"}], {}, TransientError, 8),
    ],
)
@responses.activate
def test_answers_are_classified_and_retried_only_when_transient(
    status: int, body: object, headers: dict, expected: type, calls: int
) -> None:
    responses.post(f"{LOGIN}/services/oauth2/token", json=TOKEN)
    query = responses.get(f"{DATA}/limits/", status=status, json=body, headers=headers)
    with pytest.raises(expected):
        _client().limits()
    assert query.call_count == calls


@responses.activate
def test_concurrency_limit_waits_retry_after_then_succeeds() -> None:
    responses.post(f"{LOGIN}/services/oauth2/token", json=TOKEN)
    responses.get(
        f"{DATA}/limits/",
        status=403,
        headers={"Retry-After": "7"},
        json=[{"errorCode": "REQUEST_LIMIT_EXCEEDED", "message": "ConcurrentPerOrgLongTxn Limit exceeded."}],
    )
    responses.get(f"{DATA}/limits/", json={"DailyApiRequests": {"Max": 1000, "Remaining": 600}})
    waits: list[float] = []
    values = {
        "name": "acme",
        "crm": "salesforce",
        "url": LOGIN,
        "auth": "client_credentials",
        "client_id_env": "UNIT_SF_ID",
        "client_secret_env": "UNIT_SF_SECRET",
    }
    client = SalesforceClient(InstanceConfig(**values), sleep=waits.append)  # type: ignore[arg-type]
    assert client.limits()["DailyApiRequests"]["Remaining"] == 600
    assert waits == [7.0] and (client.budget.used, client.budget.limit) == (400, 1000)


@responses.activate
def test_budget_from_sforce_limit_info_stops_at_the_share() -> None:
    """500 of 1,000 used and a share of 0.5: the call after the header arrives is never sent."""
    responses.post(f"{LOGIN}/services/oauth2/token", json=TOKEN)
    describe = responses.get(
        f"{DATA}/sobjects/", json={"sobjects": []}, headers={"Sforce-Limit-Info": "api-usage=500/1000"}
    )
    client = _client(api_budget_share=0.5)
    client.sobjects()
    with pytest.raises(BudgetExhausted, match="500 of the daily 1,000"):
        client.describe("Account")
    assert describe.call_count == 1 and len(responses.calls) == 2


def test_ca_file_adds_a_ca_and_the_environment_cannot_replace_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import certifi

    from connectors.salesforce.client import verified_session

    ca = tmp_path / "ca.pem"
    ca.write_text("-----BEGIN CERTIFICATE-----\nTESTCA\n-----END CERTIFICATE-----\n")
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/nonexistent/bundle.pem")
    session = verified_session(
        InstanceConfig(
            name="acme",
            crm="salesforce",
            url=LOGIN,
            auth="client_credentials",
            client_id_env="UNIT_SF_ID",
            client_secret_env="UNIT_SF_SECRET",
            ca_file=ca,
        )
    )
    bundle = Path(str(session.verify)).read_text()
    assert "TESTCA" in bundle and Path(certifi.where()).read_text() in bundle
    assert session.trust_env is False
