"""`/services/data` (the API versions, public) and `/services/data/vXX.X` (the resources of one version)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from sandbox.salesforce.context import API_VERSIONS, OrgContext, ok, version_of

_RELEASES = {59: "Winter '24", 60: "Spring '24", 61: "Summer '24", 62: "Winter '25"}
_RESOURCES = ["sobjects", "query", "queryAll", "tooling", "limits", "composite", "jobs"]


def _release(version: str) -> str:
    major = int(float(version))
    return _RELEASES.get(major, f"Release {major}")


class VersionHandlers:
    """The handlers of the version listing and the resource directory; one method per endpoint."""

    def __init__(self, ctx: OrgContext) -> None:
        self.ctx = ctx

    async def versions(self, request: Request) -> JSONResponse:
        return ok([{"label": _release(v), "url": f"/services/data/v{v}", "version": v} for v in API_VERSIONS])

    async def resources(self, request: Request) -> JSONResponse:
        base = f"/services/data/v{version_of(request)}"
        return ok({name: f"{base}/{name}" for name in _RESOURCES})


def routes(ctx: OrgContext) -> list[Route]:
    """This module's endpoints; each route's name is its endpoint label."""
    h = VersionHandlers(ctx)
    return [
        Route("/services/data", h.versions, methods=["GET"], name="versions"),
        Route("/services/data/", h.versions, methods=["GET"], name="versions"),
        Route("/services/data/v{version}", h.resources, methods=["GET"], name="resources"),
        Route("/services/data/v{version}/", h.resources, methods=["GET"], name="resources"),
    ]
