"""Owners (`/crm/v3/owners/`, read-only) and pipelines (`/crm/v3/pipelines/{type}`)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from sandbox.hubspot.context import PortalContext
from sandbox.hubspot.errors import ApiError, resource_not_found, validation
from sandbox.hubspot.render import bool_param

MAX_OWNERS_PAGE = 500


class DirectoryRoutes:
    """The handlers of this module over one portal; each handler is a method."""

    def __init__(self, ctx: PortalContext) -> None:
        self.portal = ctx.portal

    async def list_owners(self, request: Request) -> Response:
        try:
            limit = min(max(int(request.query_params.get("limit", "100")), 1), MAX_OWNERS_PAGE)
            after = int(request.query_params.get("after", "0") or "0")
        except ValueError:
            raise validation("limit and after must be numbers") from None
        email = request.query_params.get("email")
        archived = bool_param(request, "archived")
        owners = sorted((o for o in self.portal.owners.values() if o.archived == archived
                         and (email is None or o.email.lower() == email.lower())), key=lambda o: int(o.id))
        page = owners[after:after + limit]
        body: dict[str, Any] = {"results": [o.to_api() for o in page]}
        if after + limit < len(owners):
            body["paging"] = {"next": {"after": str(after + limit),
                                       "link": f"{request.base_url}crm/v3/owners/?after={after + limit}"}}
        return JSONResponse(body)

    async def get_owner(self, request: Request) -> Response:
        key = request.path_params["id"]
        id_property = request.query_params.get("idProperty", "id")
        owner = next((o for o in self.portal.owners.values()
                      if (str(o.user_id) if id_property == "userId" else o.id) == key), None)
        if owner is None or owner.archived != bool_param(request, "archived"):
            raise ApiError(404, "OBJECT_NOT_FOUND", f"No owner found with id {key}", context={"id": [key]})
        return JSONResponse(owner.to_api())

    def deals_only(self, request: Request) -> None:
        type_name = request.path_params["type"]
        if type_name not in ("deals", "0-3", "deal"):
            raise validation(f"Unable to infer object type from: {type_name}") if self.portal.resolve_type(
                type_name) is None else resource_not_found()

    async def list_pipelines(self, request: Request) -> Response:
        self.deals_only(request)
        return JSONResponse({"results": [p.to_api() for p in self.portal.pipelines.by_id.values()]})

    async def get_pipeline(self, request: Request) -> Response:
        self.deals_only(request)
        pipeline = self.portal.pipelines.by_id.get(request.path_params["pipeline"])
        if pipeline is None:
            raise resource_not_found()
        return JSONResponse(pipeline.to_api())

    async def list_stages(self, request: Request) -> Response:
        self.deals_only(request)
        pipeline = self.portal.pipelines.by_id.get(request.path_params["pipeline"])
        if pipeline is None:
            raise resource_not_found()
        return JSONResponse({"results": pipeline.to_api()["stages"]})



def routes(ctx: PortalContext) -> list[Route]:
    """This module's endpoints; each route's name is its endpoint label."""
    h = DirectoryRoutes(ctx)
    return [
        Route("/crm/v3/owners", h.list_owners, methods=["GET"], name="owners"),
        Route("/crm/v3/owners/", h.list_owners, methods=["GET"], name="owners"),
        Route("/crm/v3/owners/{id}", h.get_owner, methods=["GET"], name="owners"),
        Route("/crm/v3/pipelines/{type}", h.list_pipelines, methods=["GET"], name="pipelines"),
        Route("/crm/v3/pipelines/{type}/{pipeline}", h.get_pipeline, methods=["GET"], name="pipelines"),
        Route("/crm/v3/pipelines/{type}/{pipeline}/stages", h.list_stages, methods=["GET"], name="pipelines"),
    ]
