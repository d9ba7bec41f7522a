"""The legacy property listings that discovery tools still call to learn an object's fields:

    GET /properties/v1/{deals|contacts|companies}/properties   (also with a trailing slash)
    GET /properties/v2/{objectType}/properties

Both answer a bare JSON array of property definitions in the legacy shape (`PropertyDef.to_legacy`),
archived properties left out, as HubSpot's legacy reference documents them.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from sandbox.hubspot.context import PortalContext
from sandbox.hubspot.render import object_type

V1_OBJECTS = ("deals", "contacts", "companies")


class LegacyPropertyRoutes:
    """The handlers of this module over one portal; each handler is a method."""

    def __init__(self, ctx: PortalContext) -> None:
        self.portal = ctx.portal

    async def list_properties(self, request: Request) -> Response:
        type_def = object_type(self.portal, request.path_params["type"])
        return JSONResponse([p.to_legacy() for p in type_def.properties.values() if not p.archived])

    async def list_v1_properties(self, request: Request) -> Response:
        # The v1 paths name the object in the path itself: /properties/v1/deals/properties.
        name = request.url.path.split("/")[3]
        type_def = object_type(self.portal, name)
        return JSONResponse([p.to_legacy() for p in type_def.properties.values() if not p.archived])


def routes(ctx: PortalContext) -> list[Route]:
    """This module's endpoints; each route's name is its endpoint label."""
    h = LegacyPropertyRoutes(ctx)
    v1 = [Route(f"/properties/v1/{name}/properties{slash}", h.list_v1_properties, methods=["GET"],
                name="properties") for name in V1_OBJECTS for slash in ("", "/")]
    return [*v1, Route("/properties/v2/{type}/properties", h.list_properties, methods=["GET"], name="properties")]
