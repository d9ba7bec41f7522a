"""HubSpot's error answers → the connector's exception tree (which one decides retry, refresh or stop)."""

from __future__ import annotations

import json

import pytest
import urllib3

from connectors.errors import AuthExpired, DailyLimitReached, RateLimited, RequestRejected, TransientError
from connectors.hubspot.classify import classify


class ApiException(Exception):
    """The attributes every hubspot-api-client ApiException has."""

    def __init__(self, status: int, body: dict | None = None, headers: dict | None = None) -> None:
        super().__init__(status)
        self.status, self.body, self.headers, self.reason = status, json.dumps(body or {}), headers or {}, ""


def rate(policy: str) -> dict:
    return {
        "status": "error",
        "message": f"You have reached your {policy.lower()} limit.",
        "errorType": "RATE_LIMIT",
        "policyName": policy,
        "groupName": "api-calls",
    }


def test_ten_secondly_rolling_with_retry_after():
    error = classify(
        ApiException(429, rate("TEN_SECONDLY_ROLLING"), {"retry-after": "3"}), instance="i", what="w"
    )
    assert isinstance(error, RateLimited) and (error.retry_after, error.policy) == (
        3.0,
        "TEN_SECONDLY_ROLLING",
    )


def test_ten_secondly_rolling_without_retry_after_backs_off():
    error = classify(ApiException(429, rate("TEN_SECONDLY_ROLLING")), instance="i", what="w")
    assert isinstance(error, RateLimited) and error.retry_after is None


def test_daily_stops_the_run_until_midnight():
    error = classify(ApiException(429, rate("DAILY")), instance="i", what="w")
    assert isinstance(error, DailyLimitReached) and error.resumes_at is not None


@pytest.mark.parametrize(
    "status, kind",
    [
        (401, AuthExpired),
        (500, TransientError),
        (502, TransientError),
        (0, TransientError),
        (400, RequestRejected),
        (404, RequestRejected),
        (409, RequestRejected),
    ],
)
def test_statuses(status, kind):
    assert type(classify(ApiException(status), instance="i", what="w")) is kind


def test_missing_scopes_names_them():
    body = {
        "category": "MISSING_SCOPES",
        "message": "...",
        "errors": [{"context": {"requiredGranularScopes": ["crm.schemas.custom.read"]}}],
    }
    error = classify(ApiException(403, body), instance="acme", what="list schemas")
    assert isinstance(error, RequestRejected) and "crm.schemas.custom.read" in str(error)


def test_a_dropped_connection_is_transient_and_a_bug_is_not_classified():
    assert isinstance(
        classify(urllib3.exceptions.ProtocolError("reset"), instance="i", what="w"), TransientError
    )
    assert classify(TypeError("ours"), instance="i", what="w") is None
