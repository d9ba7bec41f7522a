"""Custom object schemas: /crm/v3/schemas and /crm-object-schemas/v3/schemas (the client's path).

A created schema gets an objectTypeId `2-<n>` and becomes a full object type: its records are
served by the same /crm/v3/objects endpoints (by name, objectTypeId or fullyQualifiedName).
Portals below Enterprise cannot be granted the custom-object scopes: they answer 403 MISSING_SCOPES.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from sandbox.hubspot.catalog import ObjectTypeDef
from sandbox.hubspot.context import PortalContext
from sandbox.hubspot.errors import ApiError, resource_not_found, validation
from sandbox.hubspot.portal import Portal
from sandbox.hubspot.properties import iso_millis
from sandbox.hubspot.render import json_body
from sandbox.hubspot.routes_properties import property_from_input

ASSOCIABLE = {"CONTACT": "contacts", "COMPANY": "companies", "DEAL": "deals", "TICKET": "tickets"}


def missing_scopes(scope: str) -> ApiError:
    return ApiError(403, "MISSING_SCOPES",
                    "This app hasn't been granted all required scopes to make this call. Read more about "
                    "required scopes here: https://developers.hubspot.com/scopes.",
                    errors=[{"message": "One or more of the following scopes are required.",
                             "context": {"requiredGranularScopes": [scope]}}],
                    extra={"links": {"scopes": "https://developers.hubspot.com/scopes"}})


def schema_json(portal: Portal, type_def: ObjectTypeDef) -> dict[str, Any]:
    meta = portal.schemas[type_def.name]
    custom_props = [p for p in type_def.properties.values() if not p.hubspot_defined]
    return {
        "id": meta["id"], "objectTypeId": type_def.object_type_id, "name": type_def.name,
        "fullyQualifiedName": meta["fullyQualifiedName"], "labels": meta["labels"],
        "requiredProperties": meta["requiredProperties"], "searchableProperties": meta["searchableProperties"],
        "primaryDisplayProperty": type_def.primary_display,
        "secondaryDisplayProperties": meta["secondaryDisplayProperties"],
        "properties": [p.to_api() for p in custom_props],
        "associations": meta["associations"], "archived": False,
        "createdAt": iso_millis(meta["createdAt"]), "updatedAt": iso_millis(meta["createdAt"]),
    }


def create_schema(portal: Portal, body: dict[str, Any]) -> ObjectTypeDef:
    """Validate an ObjectSchemaEgg and register the new object type."""
    name = body.get("name") or ""
    labels = body.get("labels") or {}
    if not name or not labels.get("singular") or not labels.get("plural"):
        raise validation("Invalid input JSON: `name` and `labels` (singular, plural) are required")
    if portal.resolve_type(name) is not None:
        raise ApiError(409, "OBJECT_ALREADY_EXISTS", f"Object type with name {name!r} already exists.",
                       context={"name": [name]})
    now = portal.clock()
    type_id = f"2-{portal.portal_id % 1000 * 1000 + portal.next_custom_type}"
    portal.next_custom_type += 1
    group = f"{name}_information"
    type_def = ObjectTypeDef(name, type_id, labels["singular"].lower(), group,
                             ("hs_createdate", "hs_lastmodifieddate", "hs_object_id"),
                             body.get("primaryDisplayProperty") or "hs_object_id", custom=True)
    for raw in body.get("properties") or []:
        prop = property_from_input({"groupName": group, **raw}, now, set(type_def.groups))
        type_def.properties[prop.name] = prop
    required = list(body.get("requiredProperties") or [])
    unknown = [p for p in required + list(body.get("searchableProperties") or []) if p not in type_def.properties]
    if unknown:
        raise validation(f"Properties {unknown} are not defined on the schema.", context={"properties": unknown})
    portal.types[name] = type_def
    portal.store.records[name] = {}
    associations = []
    for index, other in enumerate(body.get("associatedObjects") or []):
        target = portal.resolve_type(ASSOCIABLE.get(str(other).upper(), str(other)))
        if target is not None:
            associations.append({"fromObjectTypeId": type_id, "toObjectTypeId": target.object_type_id,
                                 "name": f"{name}_to_{target.singular}", "id": str(200 + index),
                                 "createdAt": iso_millis(now), "updatedAt": iso_millis(now)})
    portal.schemas[name] = {
        "id": type_id.split("-")[1], "fullyQualifiedName": f"p{portal.portal_id}_{name}", "labels": labels,
        "requiredProperties": required, "searchableProperties": list(body.get("searchableProperties") or []),
        "secondaryDisplayProperties": list(body.get("secondaryDisplayProperties") or []),
        "associations": associations, "createdAt": now,
    }
    return type_def


class SchemaRoutes:
    """The handlers of this module over one portal; each handler is a method."""

    def __init__(self, ctx: PortalContext) -> None:
        self.portal = ctx.portal

    async def list_schemas(self, request: Request) -> Response:
        if not self.portal.enterprise:
            raise missing_scopes("crm.schemas.custom.read")
        return JSONResponse({"results": [schema_json(self.portal, self.portal.types[n])
                                         for n in self.portal.schemas]})

    async def post_schema(self, request: Request) -> Response:
        if not self.portal.enterprise:
            raise missing_scopes("crm.schemas.custom.write")
        type_def = create_schema(self.portal, await json_body(request))
        return JSONResponse(schema_json(self.portal, type_def), status_code=201)

    async def get_schema(self, request: Request) -> Response:
        if not self.portal.enterprise:
            raise missing_scopes("crm.schemas.custom.read")
        type_def = self.portal.resolve_type(request.path_params["type"])
        if type_def is None or not type_def.custom:
            raise resource_not_found()
        return JSONResponse(schema_json(self.portal, type_def))


def routes(ctx: PortalContext) -> list[Route]:
    """This module's endpoints (at both paths clients use); each route's name is its endpoint label."""
    h = SchemaRoutes(ctx)
    return [route for prefix in ("/crm/v3/schemas", "/crm-object-schemas/v3/schemas") for route in [
        Route(prefix, h.list_schemas, methods=["GET"], name="schemas"),
        Route(prefix, h.post_schema, methods=["POST"], name="schemas"),
        Route(prefix + "/{type}", h.get_schema, methods=["GET"], name="schemas"),
    ]]
