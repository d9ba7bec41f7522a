"""/crm/v3/objects/{type}: list, get (by id or idProperty), create, update, archive, and search."""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from sandbox.hubspot.catalog import ObjectTypeDef
from sandbox.hubspot.context import PortalContext, versioned
from sandbox.hubspot.errors import object_not_found, validation
from sandbox.hubspot.portal import Portal
from sandbox.hubspot.record import Record
from sandbox.hubspot.render import (
    bool_param,
    json_body,
    list_param,
    object_type,
    record_json,
    record_renderer,
)
from sandbox.hubspot.search import MAX_RESULTS, compile_groups, parse_paging, sort_key
from sandbox.json_response import FastJSONResponse

MAX_PAGE = 100


class ObjectRoutes:
    """The handlers of this module over one portal; each handler is a method."""

    def __init__(self, ctx: PortalContext) -> None:
        self.writer = ctx.writer
        self.portal = ctx.portal
        self.searches = SearchCache(self.portal)

    async def list_objects(self, request: Request) -> Response:
        type_def = object_type(self.portal, request.path_params["type"])
        try:
            limit = int(request.query_params.get("limit", "10"))
        except ValueError:
            raise validation("limit must be a number") from None
        if limit < 1 or limit > MAX_PAGE:
            # HubSpot quietly caps list pages at 100 rather than refusing.
            limit = min(max(limit, 1), MAX_PAGE)
        after = request.query_params.get("after")
        if after is not None and not after.isdigit():
            raise validation(f"Invalid after value: {after}", context={"after": [after]})
        archived = bool_param(request, "archived")
        page: list[Record] = []
        next_after = None
        for record in self.portal.store.iter(type_def.name, archived=archived, start=int(after) if after else 0):
            if len(page) == limit:
                next_after = record.id
                break
            page.append(record)
        props, history, assoc = (list_param(request, "properties"), list_param(request, "propertiesWithHistory"),
                                 list_param(request, "associations"))
        render = record_renderer(self.portal, type_def, props, history, assoc)
        body: dict[str, Any] = {"results": [render(r) for r in page]}
        if next_after is not None:
            link = f"{request.url.replace(query='')}?after={next_after}"
            body["paging"] = {"next": {"after": next_after, "link": link}}
        return FastJSONResponse(body)

    async def get_object(self, request: Request) -> Response:
        type_def = object_type(self.portal, request.path_params["type"])
        key = request.path_params["id"]
        id_property = request.query_params.get("idProperty")
        archived = bool_param(request, "archived")
        if id_property:
            if id_property not in type_def.properties:
                raise validation(f'Property "{id_property}" does not exist')
            record = self.portal.store.find_by(type_def.name, id_property, key)
            if record is not None and record.archived != archived:
                record = None
        else:
            record = self.portal.store.get(type_def.name, key, archived=archived)
        if record is None:
            raise object_not_found(key)
        return FastJSONResponse(record_json(self.portal, type_def, record, list_param(request, "properties"),
                                        list_param(request, "propertiesWithHistory"),
                                        list_param(request, "associations")))

    async def create_object(self, request: Request) -> Response:
        type_def = object_type(self.portal, request.path_params["type"])
        body = await json_body(request)
        if not isinstance(body.get("properties"), dict):
            raise validation("Invalid input JSON: `properties` is required")
        record = self.writer.create(type_def, body["properties"], body.get("associations"))
        return FastJSONResponse(record_json(self.portal, type_def, record, list(body["properties"])), status_code=201)

    async def update_object(self, request: Request) -> Response:
        type_def = object_type(self.portal, request.path_params["type"])
        key = request.path_params["id"]
        id_property = request.query_params.get("idProperty")
        record = self.portal.store.find_by(type_def.name, id_property, key) if id_property else \
            self.portal.store.get(type_def.name, key)
        if record is None:
            raise object_not_found(key)
        body = await json_body(request)
        if not isinstance(body.get("properties"), dict):
            raise validation("Invalid input JSON: `properties` is required")
        record = self.writer.update(type_def, record.id, body["properties"])
        return FastJSONResponse(record_json(self.portal, type_def, record, list(body["properties"])))

    async def archive_object(self, request: Request) -> Response:
        type_def = object_type(self.portal, request.path_params["type"])
        self.portal.store.archive(type_def.name, request.path_params["id"])
        return Response(status_code=204)  # HubSpot answers 204 even for ids it does not have

    async def search(self, request: Request) -> Response:
        type_def = object_type(self.portal, request.path_params["type"])
        body = await json_body(request)
        limit, offset = parse_paging(body)
        hits = self.searches.hits(type_def, body)
        page = hits[offset:min(offset + limit, MAX_RESULTS)]
        render = record_renderer(self.portal, type_def, body.get("properties") or [])
        out: dict[str, Any] = {"total": len(hits),
                     "results": [render(r) for r in page]}
        following = offset + len(page)
        if page and following < len(hits):
            # Past 10,000 the next request is refused; HubSpot still hands out the cursor.
            out["paging"] = {"next": {"after": str(following)}}
        return FastJSONResponse(out)



def routes(ctx: PortalContext) -> list[Route]:
    """This module's endpoints, under /crm/v3/objects and the dated paths; each route's name is its label."""
    h = ObjectRoutes(ctx)
    return [route for base in versioned("crm/objects", "v3") for route in [
        Route(base + "/{type}", h.list_objects, methods=["GET"], name="objects_list"),
        Route(base + "/{type}", h.create_object, methods=["POST"], name="objects_create"),
        Route(base + "/{type}/search", h.search, methods=["POST"], name="search"),
        Route(base + "/{type}/{id}", h.get_object, methods=["GET"], name="objects_get"),
        Route(base + "/{type}/{id}", h.update_object, methods=["PATCH"], name="objects_update"),
        Route(base + "/{type}/{id}", h.archive_object, methods=["DELETE"], name="objects_archive"),
    ]]


class SearchCache:
    """The sorted hits of recent searches, valid until the next write: paging one search through a
    large portal filters and sorts once, not once per page (the sandbox must not be a bench's bottleneck)."""

    SIZE = 16

    def __init__(self, portal: Portal) -> None:
        self.portal = portal
        self.entries: dict[str, tuple[int, list[Record]]] = {}

    def hits(self, type_def: ObjectTypeDef, body: dict[str, Any]) -> list[Record]:
        key = json.dumps([type_def.name, body.get("filterGroups"), body.get("sorts"), body.get("query")],
                         sort_keys=True, default=str)
        version = self.portal.store.version
        cached = self.entries.get(key)
        if cached is not None and cached[0] == version:
            return cached[1]
        match = compile_groups(type_def, body.get("filterGroups") or [])
        query = (body.get("query") or "").strip().lower()
        found = [r for r in self.portal.store.iter(type_def.name) if match(r) and _matches_query(type_def, r, query)]
        sort, descending = sort_key(type_def, body.get("sorts") or [])
        found.sort(key=sort, reverse=descending)
        if len(self.entries) >= self.SIZE:
            self.entries.pop(next(iter(self.entries)))
        self.entries[key] = (version, found)
        return found


def _matches_query(type_def: ObjectTypeDef, record: Record, query: str) -> bool:
    """The free-text `query`: a prefix of a word in the type's default text properties."""
    if not query:
        return True
    for name in type_def.defaults:
        value = (record.properties.get(name) or "").lower()
        if any(word.startswith(query) for word in value.replace("@", " ").replace(".", " ").split()) or \
                value.startswith(query):
            return True
    return False
