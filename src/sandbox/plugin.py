"""The contract between the shared runtime and a CRM app (`sandbox.salesforce`, `sandbox.hubspot`).

A CRM app package exposes, at its top level:

    DIALECT: Dialect
        How that CRM labels endpoints, which paths are public, which headers show limits, and its real
        error bodies. Subclass `DialectBase` and fill in the error responses.
    def build(org, runtime: Runtime) -> tuple[ASGIApp, store]
        The CRM's Starlette app over `org` (the generator's Org, or what `load_data` returned; None means an
        empty org) and the record store a test edits between runs. The runtime wraps the app: the app never
        checks bearer tokens, counts limits or applies request faults itself. It does use `runtime.tokens`
        in its OAuth endpoint, `runtime.faults.record_fault(record_id)` before writing each record,
        `runtime.limits.snapshot()` for a `/limits`-style endpoint, and `runtime.base_url`, `runtime.clock`.
    def load_data(directory: pathlib.Path) -> org          (what `crm-kpi sandbox --data DIR` serves)
        Read an org from files in the CRM's export format; raise SandboxDataError naming file, row and
        column for anything malformed.

The runtime calls `build` once per sandbox instance, after the port is bound (so `runtime.base_url` is
final) and before serving.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from starlette.responses import Response

from sandbox.limits import LimitConfig, LimitState

if TYPE_CHECKING:
    from sandbox.runtime import Runtime

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class SandboxDataError(ValueError):
    """An org that cannot be loaded. The message says where: file, row (line) and column or field."""


class SandboxSetupError(RuntimeError):
    """A sandbox that cannot be put together (missing CRM app package, bad options)."""


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

    def label(self, method: str, path: str) -> str:
        """A short endpoint label for the ledger and fault rules, e.g. "query", "search", "oauth_token"."""
        ...

    def is_public(self, method: str, path: str) -> bool:
        """Paths served without a bearer token (the OAuth token endpoint)."""
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
    public_paths: frozenset[str] = frozenset()

    def label(self, method: str, path: str) -> str:
        return f"{method} {path}"

    def is_public(self, method: str, path: str) -> bool:
        return path in self.public_paths

    def counts_against_limits(self, label: str) -> bool:
        return True

    def default_limits(self) -> LimitConfig:
        return LimitConfig()

    def limit_headers(self, state: LimitState, label: str) -> dict[str, str]:
        return {}


class CrmPlugin(Protocol):
    """What `Sandbox(crm=...)` accepts: a CRM app module, or any object with these attributes."""

    DIALECT: Dialect

    def build(self, org: Any, runtime: Runtime) -> tuple[ASGIApp, Any]: ...


def server_error_handlers(dialect: Dialect) -> dict[Any, Callable[..., Any]]:
    """`Starlette(exception_handlers=...)` so an unhandled error in a CRM app answers the CRM's own 500 body
    rather than Starlette's text/plain "Internal Server Error"."""

    def answer(request: Any, exc: Exception) -> Response:
        return dialect.server_error(500)

    return {Exception: answer}
