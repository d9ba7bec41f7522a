"""A Salesforce HTTP answer -> one exception of `connectors.errors`, so the one retry policy decides by type.

Salesforce REST errors are a JSON array `[{"message", "errorCode", "fields"}]`. What each means
(API_FACTS.md):
401 `INVALID_SESSION_ID` is an expired session (refresh once); 403 `REQUEST_LIMIT_EXCEEDED` is either the
org's daily allocation ("TotalRequests Limit exceeded.": stop the run, resume tomorrow) or a concurrency
limit (wait and retry); 429 and 5xx are transient; every other 4xx is a request we must not repeat.
"""

from __future__ import annotations

from typing import Any

import requests

from connectors.errors import (
    AuthExpired,
    ConfigurationError,
    ConnectorError,
    DailyLimitReached,
    RateLimited,
    RequestRejected,
    TransientError,
)

# errorCode -> what a person does about it
FIXES = {
    "INVALID_FIELD": "the field is missing or not readable by the integration user: run `crm-kpi install` "
    "(it grants field access) or correct field_mapping in the settings",
    "INVALID_TYPE": "the object does not exist in this org or the integration user cannot read it",
    "INSUFFICIENT_ACCESS_OR_READONLY": "give the integration user access to the object (profile or "
    "permission set)",
    "API_DISABLED_FOR_ORG": "the org's edition has no API access, or the user lacks 'API Enabled'",
    "MALFORMED_QUERY": "a bug in crm-kpi's query: please report it with this message",
    "INVALID_QUERY_LOCATOR": "the query cursor expired; the run resumes from its last saved cursor",
}


def first_error(body: Any) -> tuple[str | None, str]:
    """(errorCode, message) of a Salesforce error body, whatever its shape."""
    if isinstance(body, list) and body and isinstance(body[0], dict):
        return body[0].get("errorCode"), str(body[0].get("message", ""))
    if isinstance(body, dict):
        return body.get("errorCode") or body.get("error"), str(
            body.get("message") or body.get("error_description") or ""
        )
    return None, str(body)[:300]


def retry_after(response: requests.Response) -> float | None:
    value = response.headers.get("Retry-After")
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


def error_for(response: requests.Response, what: str) -> ConnectorError:
    """The exception for a non-2xx answer to `what` (e.g. "instance 'acme': query Opportunity")."""
    try:
        body: Any = response.json()
    except ValueError:
        body = response.text
    code, message = first_error(body)
    status = response.status_code
    said = f"{what}: HTTP {status} {code or ''} {message}".rstrip()
    if status == 401:
        return AuthExpired(f"{said} (the session expired; refreshing it)")
    if status == 403 and code == "REQUEST_LIMIT_EXCEEDED":
        if "TotalRequests" in message:
            return DailyLimitReached(
                f"{said}: the org's daily API allocation is used up; the run stops with "
                "its progress saved and resumes on the next run"
            )
        return RateLimited(said, retry_after=retry_after(response), policy="concurrent")
    if status == 429:
        return RateLimited(said, retry_after=retry_after(response), policy="burst")
    if status >= 500:
        return TransientError(said, status=status)
    fix = FIXES.get(code or "")
    return RequestRejected(f"{said}; {fix}" if fix else said, status=status, error_code=code)


def connection_error(error: requests.RequestException, what: str) -> ConnectorError:
    """A dropped connection or timeout is transient; a certificate that does not verify is configuration
    (retrying cannot help); anything else requests raises is our bug."""
    if isinstance(error, requests.exceptions.SSLError):
        return ConfigurationError(
            f"{what}: the server's TLS certificate does not verify ({error}); for a "
            "sandbox or a proxy set ca_file to its CA (verification is never turned off)"
        )
    if isinstance(error, requests.ConnectionError | requests.Timeout):
        return TransientError(f"{what}: {type(error).__name__} (connection dropped or timed out)")
    return RequestRejected(f"{what}: {type(error).__name__}: {error}")
