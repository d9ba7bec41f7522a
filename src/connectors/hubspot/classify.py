"""A failed HubSpot call → the exception of `connectors.errors` the retry policy decides on.

hubspot-api-client raises one `ApiException` class per sub-package (crm.deals, crm.objects, ...), all with
`status`, `body` and `headers`, so classification reads those attributes rather than a class. urllib3's own
errors (a dropped connection, a timeout) reach us as `ApiException(status=0)` or as urllib3 exceptions.

    429 policyName TEN_SECONDLY_ROLLING / SECONDLY   RateLimited(retry_after from Retry-After when sent)
    429 policyName DAILY                             DailyLimitReached (the run stops, cursors saved)
    401                                              AuthExpired (refresh once) / AuthError after refresh
    403 MISSING_SCOPES                               RequestRejected naming the scope to grant
    5xx, status 0, connection errors                 TransientError
    any other 4xx                                    RequestRejected with HubSpot's category and message
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import urllib3

from connectors.errors import (
    AuthExpired,
    ConnectorError,
    DailyLimitReached,
    RateLimited,
    RequestRejected,
    TransientError,
)


def _body(exc: Any) -> dict[str, Any]:
    raw = getattr(exc, "body", None)
    if not raw:
        return {}
    try:
        parsed = json.loads(raw)
    except (TypeError, ValueError):
        return {}
    return parsed if isinstance(parsed, dict) else {}


def _header(exc: Any, name: str) -> str | None:
    headers = getattr(exc, "headers", None)
    if not headers:
        return None
    for key, value in dict(headers).items():
        if str(key).lower() == name.lower():
            return str(value)
    return None


def _retry_after(exc: Any) -> float | None:
    raw = _header(exc, "Retry-After")
    try:
        return float(raw) if raw is not None else None
    except ValueError:
        return None


def _next_midnight() -> datetime:
    now = datetime.now(UTC)
    return datetime(now.year, now.month, now.day, tzinfo=UTC) + timedelta(days=1)


def classify(exc: BaseException, *, instance: str, what: str) -> ConnectorError | None:
    """The connector error for `exc`, raised by the call described by `what` (e.g. 'list deals'); None
    when `exc` is no HTTP failure (a bug of ours must surface as itself, never be retried)."""
    if isinstance(exc, ConnectorError):
        return exc
    if isinstance(exc, urllib3.exceptions.HTTPError | ConnectionError | TimeoutError):
        return TransientError(
            f"instance {instance!r}: {what}: connection failed ({exc.__class__.__name__}); retrying"
        )
    if not hasattr(exc, "status"):
        return None
    status = int(getattr(exc, "status", 0) or 0)
    body = _body(exc)
    message = str(body.get("message") or getattr(exc, "reason", "") or exc)
    category = body.get("category") or body.get("errorType") or body.get("status")
    where = f"instance {instance!r}: {what}"
    if status == 429:
        policy = str(body.get("policyName") or "")
        if policy.upper() == "DAILY":
            return DailyLimitReached(
                f"{where}: HubSpot's daily API limit for this portal is used up ({message}); the run stops "
                "with its progress saved and resumes after the portal's midnight",
                resumes_at=_next_midnight(),
            )
        return RateLimited(
            f"{where}: rate limited ({policy or 'no policy named'}): {message}",
            retry_after=_retry_after(exc),
            policy=policy or None,
        )
    if status == 401:
        return AuthExpired(f"{where}: HubSpot refused the access token ({category}: {message})")
    if status == 0 or status >= 500:
        return TransientError(
            f"{where}: HubSpot answered {status or 'nothing'} ({category or message})", status=status or None
        )
    if status == 403 and category == "MISSING_SCOPES":
        scopes = _required_scopes(body)
        return RequestRejected(
            f"{where}: the app lacks the scope(s) {', '.join(scopes) or '(unnamed)'}; add them to the "
            "private app (Settings > Integrations > Private apps > Scopes) or re-authorise the OAuth app",
            status=status,
            error_code="MISSING_SCOPES",
        )
    return RequestRejected(
        f"{where}: HubSpot answered {status} {category or ''}: {message}".replace("  ", " "),
        status=status,
        error_code=str(category) if category else None,
    )


def _required_scopes(body: dict[str, Any]) -> list[str]:
    scopes: list[str] = []
    for error in body.get("errors") or []:
        context = error.get("context") or {} if isinstance(error, dict) else {}
        for key in ("requiredGranularScopes", "requiredScopes"):
            scopes.extend(str(s) for s in context.get(key) or [])
    return scopes
