"""HubSpot's side of the shared request pipeline: endpoint labels, limits, headers and error bodies.

Labels (for fault rules `label=...` and ledger counts) are the names of the app's routes
(`sandbox.route_labels`): `oauth_token`, `search`, `objects_list`, `objects_get`, `objects_create`,
`objects_update`, `objects_archive`, `batch_read`, `batch_create`, `batch_update`, `batch_upsert`,
`batch_archive`, `associations`, `properties`, `schemas`, `owners`, `pipelines`; `other` for a path no
route serves.
"""

from __future__ import annotations

from starlette.responses import JSONResponse, Response

from sandbox.dialect import DialectBase
from sandbox.hubspot.errors import rate_limit_body, server_error_body, unauthenticated_body
from sandbox.limits import LimitConfig, LimitState

# Enterprise private app: 190 requests per 10 s, 1,000,000 per day (API_FACTS.md).
DEFAULT_LIMITS = LimitConfig(daily_max=1_000_000, burst_max=190, burst_window_seconds=10.0)


class HubSpotDialect(DialectBase):
    name = "hubspot"
    uses_oauth_client = True  # public apps refresh through /oauth/v1/token with client id and secret
    token_prefix = ""
    header_names: tuple[str, ...] = tuple(f"X-HubSpot-RateLimit-{name}" for name in (
        "Daily", "Daily-Remaining", "Interval-Milliseconds", "Max", "Remaining", "Secondly",
        "Secondly-Remaining")) + ("X-HubSpot-Correlation-Id",)
    public_labels = frozenset({"oauth_token"})

    def counts_against_limits(self, label: str) -> bool:
        return label != "oauth_token"

    def default_limits(self) -> LimitConfig:
        return DEFAULT_LIMITS

    def limit_headers(self, state: LimitState, label: str) -> dict[str, str]:
        if label == "search":
            return {}  # search responses carry no rate-limit headers
        headers: dict[str, str] = {}
        if state.daily_max is not None:
            headers["X-HubSpot-RateLimit-Daily"] = str(state.daily_max)
            headers["X-HubSpot-RateLimit-Daily-Remaining"] = str(state.daily_remaining)
        if state.burst_max is not None:
            window_ms = int(state.burst_window_seconds * 1000)
            headers["X-HubSpot-RateLimit-Interval-Milliseconds"] = str(window_ms)
            headers["X-HubSpot-RateLimit-Max"] = str(state.burst_max)
            headers["X-HubSpot-RateLimit-Remaining"] = str(state.burst_remaining)
            per_second = max(int(state.burst_max * 1000 / max(window_ms, 1)), 1)
            headers["X-HubSpot-RateLimit-Secondly"] = str(per_second)
            headers["X-HubSpot-RateLimit-Secondly-Remaining"] = str(min(per_second, state.burst_remaining or 0))
        return headers

    def rate_limited(self, retry_after: float | None) -> Response:
        headers = {} if retry_after is None else {"Retry-After": str(max(round(retry_after), 1))}
        return JSONResponse(rate_limit_body("TEN_SECONDLY_ROLLING"), status_code=429, headers=headers)

    def daily_limit_exceeded(self) -> Response:
        return JSONResponse(rate_limit_body("DAILY"), status_code=429)

    def server_error(self, status: int) -> Response:
        return JSONResponse(server_error_body(status), status_code=status)

    def invalid_session(self, expired: bool) -> Response:
        return JSONResponse(unauthenticated_body(expired), status_code=401)


DIALECT = HubSpotDialect()
