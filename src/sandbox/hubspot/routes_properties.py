"""/crm/v3/properties/{type}: property definitions and property groups (create, read, update, archive)."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from sandbox.hubspot.catalog import ObjectTypeDef
from sandbox.hubspot.context import PortalContext, versioned
from sandbox.hubspot.errors import ApiError, resource_not_found, validation
from sandbox.hubspot.portal import Portal
from sandbox.hubspot.properties import PROPERTY_TYPES, PropertyDef
from sandbox.hubspot.render import bool_param, json_body, object_type

NAME = re.compile(r"^[a-z][a-z0-9_]*$")
FIELD_TYPES = ("textarea", "text", "date", "file", "number", "select", "radio", "checkbox", "booleancheckbox",
               "calculation_equation", "html", "phonenumber")


def property_from_input(body: dict[str, Any], now: datetime, group_names: set[str]) -> PropertyDef:
    """Validate a PropertyCreate body (POST /crm/v3/properties/{type} or a schema's properties)."""
    missing = [k for k in ("name", "label", "type", "fieldType") if not body.get(k)]
    if missing:
        raise validation(f"Invalid input JSON: missing required field(s) {', '.join(missing)}",
                         context={"missing": missing})
    name = body["name"]
    if not NAME.match(name):
        raise validation(f"Property name {name!r} is invalid: use lowercase letters, digits and underscores, "
                         "starting with a letter.")
    if body["type"] not in PROPERTY_TYPES or body["fieldType"] not in FIELD_TYPES:
        raise validation(f"Invalid type/fieldType combination: {body['type']}/{body['fieldType']}")
    group = body.get("groupName") or ""
    if group and group not in group_names:
        raise validation(f"Property group {group!r} does not exist.", context={"groupName": [group]})
    if body["type"] == "enumeration" and not body.get("options"):
        raise validation("Enumeration properties need at least one option.")
    return PropertyDef(name=name, label=body["label"], type=body["type"], field_type=body["fieldType"],
                       group_name=group, description=body.get("description") or "",
                       options=[dict(o) for o in body.get("options") or []],
                       has_unique_value=bool(body.get("hasUniqueValue", False)), hubspot_defined=False,
                       display_order=int(body.get("displayOrder", -1)), created_at=now, updated_at=now)


class PropertyRoutes:
    """The handlers of this module over one portal; each handler is a method."""

    def __init__(self, ctx: PortalContext) -> None:
        self.portal: Portal = ctx.portal

    def find(self, request: Request) -> ObjectTypeDef:
        return object_type(self.portal, request.path_params["type"])

    async def list_properties(self, request: Request) -> Response:
        type_def, archived = self.find(request), bool_param(request, "archived")
        return JSONResponse({"results": [p.to_api() for p in type_def.properties.values() if p.archived == archived]})

    async def get_property(self, request: Request) -> Response:
        prop = self.find(request).properties.get(request.path_params["name"])
        if prop is None or prop.archived:
            raise resource_not_found()
        return JSONResponse(prop.to_api())

    async def create_property(self, request: Request) -> Response:
        type_def = self.find(request)
        body = await json_body(request)
        prop = property_from_input(body, self.portal.clock(), set(type_def.groups))
        existing = type_def.properties.get(prop.name)
        if existing is not None and not existing.archived:
            raise ApiError(409, "OBJECT_ALREADY_EXISTS", f"Property named '{prop.name}' already exists.",
                           sub_category="PropertyValidationError.PROPERTY_EXISTS",
                           context={"name": [prop.name]})
        type_def.properties[prop.name] = prop
        return JSONResponse(prop.to_api(), status_code=201)

    async def update_property(self, request: Request) -> Response:
        prop = self.find(request).properties.get(request.path_params["name"])
        if prop is None or prop.archived:
            raise resource_not_found()
        if prop.hubspot_defined:
            raise validation(f"Property {prop.name} is a HubSpot-defined property and cannot be modified.")
        body = await json_body(request)
        for key, attr in (("label", "label"), ("description", "description"), ("groupName", "group_name"),
                          ("options", "options"), ("displayOrder", "display_order"), ("fieldType", "field_type")):
            if key in body:
                setattr(prop, attr, body[key])
        prop.updated_at = self.portal.clock()
        return JSONResponse(prop.to_api())

    async def archive_property(self, request: Request) -> Response:
        prop = self.find(request).properties.get(request.path_params["name"])
        if prop is not None and not prop.hubspot_defined:
            prop.archived = True
        return Response(status_code=204)

    async def list_groups(self, request: Request) -> Response:
        return JSONResponse({"results": list(self.find(request).groups.values())})

    async def create_group(self, request: Request) -> Response:
        type_def = self.find(request)
        body = await json_body(request)
        if not body.get("name") or not body.get("label"):
            raise validation("Invalid input JSON: `name` and `label` are required")
        if body["name"] in type_def.groups:
            raise ApiError(409, "OBJECT_ALREADY_EXISTS", f"Property group named '{body['name']}' already exists.",
                           context={"name": [body["name"]]})
        group = {"name": body["name"], "label": body["label"], "displayOrder": int(body.get("displayOrder", -1)),
                 "archived": False}
        type_def.groups[group["name"]] = group
        return JSONResponse(group, status_code=201)

    async def get_group(self, request: Request) -> Response:
        group = self.find(request).groups.get(request.path_params["name"])
        if group is None:
            raise resource_not_found()
        return JSONResponse(group)



def routes(ctx: PortalContext) -> list[Route]:
    """This module's endpoints, under /crm/v3/properties and the dated paths; each route's name is its label."""
    h = PropertyRoutes(ctx)
    return [Route(base + path, handler, methods=[method], name="properties")
            for base in versioned("crm/properties", "v3")
            for path, handler, method in [
                ("/{type}", h.list_properties, "GET"),
                ("/{type}", h.create_property, "POST"),
                ("/{type}/groups", h.list_groups, "GET"),
                ("/{type}/groups", h.create_group, "POST"),
                ("/{type}/groups/{name}", h.get_group, "GET"),
                ("/{type}/{name}", h.get_property, "GET"),
                ("/{type}/{name}", h.update_property, "PATCH"),
                ("/{type}/{name}", h.archive_property, "DELETE"),
            ]]
