"""How one CRM speaks in the shared request pipeline: labels, public endpoints, limits and error bodies.

Kept apart from `sandbox.plugin` (the app contract) and `sandbox.instance` (the per-instance state) so the
runtime, the middleware and the CRM apps all import it without importing each other.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

from starlette.responses import Response
from starlette.routing import BaseRoute
from starlette.types import Scope

from sandbox.limits import LimitConfig, LimitState
from sandbox.route_labels import route_label


@runtime_checkable
class Dialect(Protocol):
    """What differs between CRMs in the shared request pipeline. All responses are complete Starlette
    responses with the CRM's real status, headers and JSON body."""

    name: str  # "salesforce" or "hubspot"
    uses_oauth_client: bool  # whether client_id / client_secret mean anything for this CRM
    token_prefix: str  # prepended to access tokens (Salesforce: "<org id>!")
    # Response header names the CRM spells otherwise than Title-Case (`Sforce-NumberOfRecords`); the
    # middleware writes every other name Title-Case (sandbox.header_casing).
    header_names: tuple[str, ...]

    def label(self, routes: Sequence[BaseRoute], scope: Scope) -> str:
        """The request's endpoint label for the ledger and fault rules: the name of the app route that
        answers it (`sandbox.route_labels`), e.g. "query", "search", "oauth_token"."""
        ...

    def is_public(self, label: str) -> bool:
        """Endpoints served without a bearer token (the OAuth token endpoint)."""
        ...

    def counts_against_limits(self, label: str) -> bool:
        """Whether a call with this label uses the daily / burst allocation."""
        ...

    def default_limits(self) -> LimitConfig:
        """Limits when the caller configures none."""
        ...

    def limit_headers(self, state: LimitState, label: str) -> dict[str, str]:
        """Headers added to every response of a counted call (HubSpot: none on search)."""
        ...

    def rate_limited(self, retry_after: float | None) -> Response:
        """The burst limit's answer (HubSpot 429 TEN_SECONDLY_ROLLING); Retry-After only if given."""
        ...

    def daily_limit_exceeded(self) -> Response:
        """The daily allocation's answer (Salesforce 403 REQUEST_LIMIT_EXCEEDED, HubSpot 429 DAILY)."""
        ...

    def server_error(self, status: int) -> Response:
        """A 500 or 503 as the CRM words it."""
        ...

    def invalid_session(self, expired: bool) -> Response:
        """401 for a missing, unknown (expired=False) or expired/invalidated (expired=True) token."""
        ...


class DialectBase:
    """Defaults a CRM dialect can keep; subclasses must still provide the error responses."""

    name = "crm"
    uses_oauth_client = True
    token_prefix = ""
    header_names: tuple[str, ...] = ()
    public_labels: frozenset[str] = frozenset()
    unmatched_label = "other"

    def label(self, routes: Sequence[BaseRoute], scope: Scope) -> str:
        return route_label(routes, scope) or self.unmatched_label

    def is_public(self, label: str) -> bool:
        return label in self.public_labels

    def counts_against_limits(self, label: str) -> bool:
        return True

    def default_limits(self) -> LimitConfig:
        return LimitConfig()

    def limit_headers(self, state: LimitState, label: str) -> dict[str, str]:
        return {}
