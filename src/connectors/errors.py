"""One exception tree for both CRMs, so the retry policy and the sync decide by type, never by vendor.

    ConnectorError                  every failure a connector reports; `str()` says what and the fix
    ├── ConfigurationError          the instance's settings or environment cannot work (missing env var, bad
    │                               URL, unreadable CA file): stop before any call, exit 2
    ├── AuthError                   the CRM refused the credentials (invalid_grant, revoked token): stop
    │   └── AuthExpired             the session/access token expired: refresh once, then retry the call
    ├── RateLimited                 429 or REQUEST_LIMIT_EXCEEDED burst: wait (retry_after) and retry
    ├── TransientError              5xx, dropped connection, timeout: back off and retry
    ├── StopRun                     the run must end cleanly now, cursors saved, and resume next time
    │   ├── DailyLimitReached       the CRM's daily allocation is used up (HubSpot DAILY, Salesforce 403)
    │   └── BudgetExhausted         our own share of the daily allocation is used up
    └── RequestRejected             any other 4xx (MALFORMED_QUERY, INVALID_FIELD, 404...): never retried

Per-record write failures are not exceptions: they come back as `WriteResult`s (see `connectors.base`).
"""

from __future__ import annotations

from datetime import datetime


class ConnectorError(Exception):
    """A connector failure. The message names the instance or call, what went wrong, and the fix."""

    retryable: bool = False


class ConfigurationError(ConnectorError):
    """The settings or environment of an instance cannot work; nothing was sent to the CRM."""


class AuthError(ConnectorError):
    """The CRM refused the credentials. Retrying cannot help; the message says which setting to fix."""


class AuthExpired(AuthError):
    """The session or access token expired mid-run: the client refreshes it once and retries."""

    retryable = True


class RateLimited(ConnectorError):
    """A burst limit: wait `retry_after` seconds (or back off when the CRM did not say) and retry."""

    retryable = True

    def __init__(self, message: str, *, retry_after: float | None = None, policy: str | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after
        self.policy = policy


class TransientError(ConnectorError):
    """A server error or a dropped connection: retried with exponential back-off and jitter."""

    retryable = True

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class StopRun(ConnectorError):
    """End the run cleanly with every committed cursor kept; the next scheduled run resumes."""

    def __init__(self, message: str, *, resumes_at: datetime | None = None) -> None:
        super().__init__(message)
        self.resumes_at = resumes_at


class DailyLimitReached(StopRun):
    """The CRM says its daily API allocation is used up (HubSpot `policyName: DAILY`, Salesforce 403)."""


class BudgetExhausted(StopRun):
    """Our configured share of the daily allocation is used up; the rest is left to the org's other tools."""


class RequestRejected(ConnectorError):
    """The CRM rejected the request as malformed or not allowed (a 4xx other than auth and rate limits)."""

    def __init__(self, message: str, *, status: int | None = None, error_code: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.error_code = error_code
