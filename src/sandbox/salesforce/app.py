"""The Salesforce sandbox app: one Starlette app per org, assembled from the endpoint modules.

`build(org, runtime)` is the plug-in entry point of the shared runtime (docs/sandbox.md): it renders the
org into a `Store`, wires the runtime's record faults into the store's write path, and returns the app
and the store (which tests edit between runs as a user in the CRM would).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from sandbox.plugin import server_error_handlers
from sandbox.salesforce import bulk, collections, limits_endpoint, oauth, query, sobjects, tooling
from sandbox.salesforce.context import API_VERSIONS, OrgContext, ok, version_of
from sandbox.salesforce.dialect import DIALECT
from sandbox.salesforce.errors import ApiError, RecordError
from sandbox.salesforce.org import render_org
from sandbox.salesforce.store import Store, lock_error
from sandbox.salesforce.values import epoch_millis

_RELEASES = {59: "Winter '24", 60: "Spring '24", 61: "Summer '24", 62: "Winter '25"}


def _release(version: str) -> str:
    major = int(float(version))
    return _RELEASES.get(major, f"Release {major}")


def _resources(version: str) -> dict[str, str]:
    base = f"/services/data/v{version}"
    return {name: f"{base}/{path}" for name, path in [
        ("sobjects", "sobjects"), ("query", "query"), ("queryAll", "queryAll"), ("tooling", "tooling"),
        ("limits", "limits"), ("composite", "composite"), ("jobs", "jobs")]}


def _record_guard(runtime: Any) -> Any:
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


def create_app(ctx: OrgContext) -> Starlette:
    async def versions(request: Request) -> JSONResponse:
        return ok([{"label": _release(v), "url": f"/services/data/v{v}", "version": v} for v in API_VERSIONS])

    async def resources(request: Request) -> JSONResponse:
        return ok(_resources(version_of(request)))

    async def api_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, ApiError)
        return JSONResponse(exc.body(), status_code=exc.status)

    async def http_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, HTTPException)
        if exc.status_code == 405:
            return JSONResponse([{"message": f"HTTP Method '{request.method}' not allowed. Allowed are GET",
                                  "errorCode": "METHOD_NOT_ALLOWED"}], status_code=405)
        return JSONResponse([{"message": "The requested resource does not exist", "errorCode": "NOT_FOUND"}],
                            status_code=exc.status_code)

    routes = [
        Route("/services/data", versions, methods=["GET"]),
        Route("/services/data/", versions, methods=["GET"]),
        Route("/services/data/v{version}", resources, methods=["GET"]),
        Route("/services/data/v{version}/", resources, methods=["GET"]),
    ]
    for module in (oauth, query, sobjects, collections, bulk, tooling, limits_endpoint):
        routes += module.routes(ctx)
    # A bug in an endpoint answers Salesforce's own 500 body, not Starlette's text/plain one.
    handlers = {**server_error_handlers(DIALECT), ApiError: api_error, HTTPException: http_error}
    return Starlette(routes=routes, exception_handlers=handlers)


def build(org: Any, runtime: Any) -> tuple[Starlette, Store]:
    """The plug-in entry point: the app over `org` (generator Org, loaded Store, or None) and its store."""
    def clock() -> datetime:
        return epoch_millis(runtime.clock())

    store = org if isinstance(org, Store) else render_org(org, clock=clock)
    store.clock = clock
    store.record_guard = _record_guard(runtime)
    ctx = OrgContext(store, runtime)
    return create_app(ctx), store
