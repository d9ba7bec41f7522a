"""The Salesforce sandbox app: one Starlette app per org, assembled from the endpoint modules.

`build(org, runtime)` is the plug-in entry point of the shared runtime (docs/sandbox.md): it renders the
org into a `Store`, wires the runtime's record faults into the store's write path, and returns the app
and the store (which tests edit between runs as a user in the CRM would). Each endpoint module exposes
`routes(ctx) -> list[Route]`, every route named with its endpoint label; `ENDPOINT_MODULES` lists them.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from sandbox.instance import Runtime
from sandbox.plugin import ExceptionHandler, server_error_handlers
from sandbox.salesforce import bulk, collections, limits_endpoint, oauth, query, sobjects, tooling, versions
from sandbox.salesforce.context import OrgContext
from sandbox.salesforce.dialect import DIALECT
from sandbox.salesforce.errors import ApiError, RecordError
from sandbox.salesforce.field_security import grant_org_fields
from sandbox.salesforce.org import render_org
from sandbox.salesforce.store import Store, lock_error
from sandbox.salesforce.values import epoch_millis

ENDPOINT_MODULES = (versions, oauth, query, sobjects, collections, bulk, tooling, limits_endpoint)


def _record_guard(runtime: Runtime) -> Callable[[str, str], RecordError | None]:
    """The runtime's fault plan decides which record writes fail (lock -> UNABLE_TO_LOCK_ROW)."""
    def guard(sobject: str, record_id: str) -> RecordError | None:
        fault = runtime.faults.record_fault(record_id)
        if fault is None:
            return None
        if fault.kind == "lock":
            return lock_error(record_id)
        return RecordError("FIELD_CUSTOM_VALIDATION_EXCEPTION",
                           "This record cannot be saved: a validation rule rejected it.", [])
    return guard


async def _api_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    return JSONResponse(exc.body(), status_code=exc.status)


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 405:
        return JSONResponse([{"message": f"HTTP Method '{request.method}' not allowed. Allowed are GET",
                              "errorCode": "METHOD_NOT_ALLOWED"}], status_code=405)
    return JSONResponse([{"message": "The requested resource does not exist", "errorCode": "NOT_FOUND"}],
                        status_code=exc.status_code)


def create_app(ctx: OrgContext) -> Starlette:
    routes: list[Route] = [route for module in ENDPOINT_MODULES for route in module.routes(ctx)]
    # A bug in an endpoint answers Salesforce's own 500 body, not Starlette's text/plain one.
    handlers: dict[Any, ExceptionHandler] = {**server_error_handlers(DIALECT), ApiError: _api_error, HTTPException: _http_error}
    return Starlette(routes=routes, exception_handlers=handlers)


def build(org: Any, runtime: Runtime) -> tuple[Starlette, Store]:
    """The plug-in entry point: the app over `org` (generator Org, loaded Store, or None) and its store."""
    def clock() -> datetime:
        return epoch_millis(runtime.clock())

    store = org if isinstance(org, Store) else render_org(org, clock=clock)
    store.clock = clock
    store.record_guard = _record_guard(runtime)
    # The org's own custom fields were granted to the integration user before any connector came; fields
    # created through the Tooling API from now on need a permission set (sandbox.salesforce.field_security).
    grant_org_fields(store)
    ctx = OrgContext(store, runtime)
    return create_app(ctx), store
