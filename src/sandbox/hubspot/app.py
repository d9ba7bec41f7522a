"""The HubSpot sandbox's Starlette app: every route module over one Portal, and HubSpot-shaped errors."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from sandbox.hubspot import (
    oauth,
    routes_associations,
    routes_batch,
    routes_directory,
    routes_objects,
    routes_properties,
    routes_schemas,
)
from sandbox.hubspot.dialect import DIALECT
from sandbox.hubspot.errors import ApiError, correlation_id
from sandbox.hubspot.portal import Portal
from sandbox.hubspot.writes import RecordFaultHook, Writer
from sandbox.plugin import server_error_handlers


def build_app(portal: Portal, *, tokens=None, record_fault: RecordFaultHook | None = None,
              token_ttl: float | None = None) -> Starlette:
    """The app; `tokens` (the runtime's TokenStore) enables the OAuth endpoints."""
    writer = Writer(portal, record_fault or (lambda record_id: None))
    routes = (routes_batch.routes(writer) + routes_objects.routes(writer) + routes_properties.routes(portal)
              + routes_schemas.routes(portal) + routes_directory.routes(portal)
              + routes_associations.routes(portal))
    if tokens is not None:
        routes += oauth.routes(tokens, portal.portal_id, token_ttl)

    async def api_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, ApiError)
        return exc.response()

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        if exc.status_code == 404:
            # An unknown path on api.hubapi.com answers 404 with an empty body.
            return Response(status_code=404)
        return JSONResponse({"status": "error", "message": exc.detail or "error", "correlationId": correlation_id(),
                             "category": "VALIDATION_ERROR"}, status_code=exc.status_code)

    # A bug in a route answers HubSpot's own 500 body, not Starlette's text/plain one.
    handlers = {**server_error_handlers(DIALECT), ApiError: api_error, HTTPException: http_error}
    return Starlette(routes=routes, exception_handlers=handlers)
