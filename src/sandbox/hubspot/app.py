"""The HubSpot sandbox's Starlette app: every endpoint module over one portal, and HubSpot-shaped errors.

Each endpoint module exposes `routes(ctx) -> list[Route]`, every route named with its endpoint label;
`ENDPOINT_MODULES` lists them (the same shape as the Salesforce app).
"""

from __future__ import annotations

from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from sandbox.hubspot import (
    oauth,
    routes_associations,
    routes_batch,
    routes_directory,
    routes_legacy,
    routes_objects,
    routes_properties,
    routes_schemas,
)
from sandbox.hubspot.context import PortalContext
from sandbox.hubspot.dialect import DIALECT
from sandbox.hubspot.errors import ApiError, correlation_id
from sandbox.plugin import ExceptionHandler, server_error_handlers

# Batch before objects: `/crm/v3/objects/{type}/batch/read` must not be read as object `batch`'s id.
ENDPOINT_MODULES = (routes_batch, routes_objects, routes_properties, routes_legacy, routes_schemas,
                    routes_directory, routes_associations, oauth)


async def _api_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    return exc.response()


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 404:
        # An unknown path on api.hubapi.com answers 404 with an empty body.
        return Response(status_code=404)
    return JSONResponse({"status": "error", "message": exc.detail or "error", "correlationId": correlation_id(),
                         "category": "VALIDATION_ERROR"}, status_code=exc.status_code)


def create_app(ctx: PortalContext) -> Starlette:
    routes: list[Route] = [route for module in ENDPOINT_MODULES for route in module.routes(ctx)]
    # A bug in a route answers HubSpot's own 500 body, not Starlette's text/plain one.
    handlers: dict[Any, ExceptionHandler] = {**server_error_handlers(DIALECT), ApiError: _api_error, HTTPException: _http_error}
    return Starlette(routes=routes, exception_handlers=handlers)
