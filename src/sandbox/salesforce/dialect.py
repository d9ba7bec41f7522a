"""How the shared runtime speaks Salesforce: public endpoints, limit headers and the real error bodies.
Endpoint labels are the names of the app's routes (`sandbox.route_labels`)."""

from __future__ import annotations

from starlette.responses import JSONResponse, Response

from sandbox.dialect import DialectBase
from sandbox.limits import LimitConfig, LimitState

ORG_ID = "00D5g000004Sbox1"  # 15 characters + "!" prefixes session ids, as real session ids do
DEFAULT_DAILY_REQUESTS = 115_000  # Enterprise: 100,000 + 1,000 per licence, for 15 licences

def _errors(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> Response:
    return JSONResponse([{"message": message, "errorCode": code}], status_code=status, headers=headers)


class SalesforceDialect(DialectBase):
    name = "salesforce"
    uses_oauth_client = True
    token_prefix = ORG_ID + "!"
    header_names: tuple[str, ...] = ("Sforce-Limit-Info", "Sforce-Locator", "Sforce-NumberOfRecords")
    # Labels are the names of the app's routes (each endpoint module's `routes`), listed in
    # docs/sandbox-salesforce.md: fault rules (`label=...`) and ledger counts use them.
    public_labels = frozenset({"oauth_token", "versions"})

    def counts_against_limits(self, label: str) -> bool:
        return label not in self.public_labels

    def default_limits(self) -> LimitConfig:
        return LimitConfig(daily_max=DEFAULT_DAILY_REQUESTS)

    def limit_headers(self, state: LimitState, label: str) -> dict[str, str]:
        total = state.daily_max if state.daily_max is not None else DEFAULT_DAILY_REQUESTS
        return {"Sforce-Limit-Info": f"api-usage={state.daily_used}/{total}"}

    def rate_limited(self, retry_after: float | None) -> Response:
        # Salesforce has no per-second REST limit; bursts hit the concurrent long-running request limit,
        # answered 403 REQUEST_LIMIT_EXCEEDED. Retry-After is passed through when a fault rule asks for it.
        headers = {"Retry-After": f"{retry_after:g}"} if retry_after is not None else None
        return _errors(403, "REQUEST_LIMIT_EXCEEDED", "ConcurrentPerOrgLongTxn Limit exceeded.", headers)

    def daily_limit_exceeded(self) -> Response:
        return _errors(403, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded.")

    def server_error(self, status: int) -> Response:
        if status == 503:
            return _errors(503, "SERVER_UNAVAILABLE", "Server temporarily unavailable. Please try again later.")
        return _errors(status, "UNKNOWN_EXCEPTION", "An unexpected error occurred. Please include this ErrorId "
                                                    "if you contact support: 1843957263-51209 (-1407839612)")

    def invalid_session(self, expired: bool) -> Response:
        return _errors(401, "INVALID_SESSION_ID", "Session expired or invalid")


DIALECT = SalesforceDialect()
