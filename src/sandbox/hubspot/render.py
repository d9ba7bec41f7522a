"""Records as the API returns them, and the small request-parsing rules shared by the routes."""

from __future__ import annotations

import json
from collections.abc import Callable

from starlette.requests import Request

from sandbox.hubspot.catalog import ObjectTypeDef
from sandbox.hubspot.errors import unknown_object_type, validation
from sandbox.hubspot.portal import Portal
from sandbox.hubspot.properties import iso_millis
from sandbox.hubspot.record import Record
from sandbox.hubspot.store import history_of


def record_json(portal: Portal, type_def: ObjectTypeDef, record: Record, properties: list[str] | None,
                history: list[str] | None = None, associations: list[str] | None = None) -> dict:
    """One record: the default properties plus those asked for (null when unset), as HubSpot does."""
    return record_renderer(portal, type_def, properties, history, associations)(record)


def record_renderer(portal: Portal, type_def: ObjectTypeDef, properties: list[str] | None,
                    history: list[str] | None = None,
                    associations: list[str] | None = None) -> Callable[[Record], dict]:
    """`record_json` for every record of a page: the property names are chosen and sorted once per page."""
    asked = list(type_def.defaults) + [p for p in properties or [] if p not in type_def.defaults]
    # Keys in name order, as HubSpot sends them; hs_object_id is always there and is the record's id.
    names = sorted(set(asked) | {"hs_object_id"})
    known = type_def.properties

    def render(record: Record) -> dict:
        values = record.properties
        props = {name: record.id if name == "hs_object_id" else values.get(name) or None
                 for name in names if name == "hs_object_id" or name in known or name in values}
        return _record_body(portal, type_def, record, props, history, associations)

    return render


def _record_body(portal: Portal, type_def: ObjectTypeDef, record: Record, props: dict,
                 history: list[str] | None, associations: list[str] | None) -> dict:
    body: dict = {"id": record.id, "properties": props,
                  "createdAt": record.created_iso, "updatedAt": record.updated_iso,
                  "archived": record.archived}
    if record.archived and record.archived_at:
        body["archivedAt"] = iso_millis(record.archived_at)
    if history:
        body["propertiesWithHistory"] = {
            name: [h.to_api() for h in history_of(record, name)]
            for name in history if name in type_def.properties}
    if associations:
        linked = {}
        for to_name in associations:
            to_def = portal.resolve_type(to_name)
            if to_def is None:
                continue
            edges = portal.associations.of(type_def.name, record.id, to_def.name)
            rows = []
            for to_id in sorted(edges, key=int):
                labelled = any(portal.associations.primary_label(t) for t in edges[to_id])
                rows.append({"id": to_id, "type": f"{type_def.singular}_to_{to_def.singular}".replace(" ", "_")})
                if labelled:
                    rows.append({"id": to_id, "type": f"{type_def.singular}_to_{to_def.singular}_unlabeled"
                                 .replace(" ", "_")})
            if rows:
                linked[to_def.name] = {"results": rows}
        if linked:
            body["associations"] = linked
    return body


def list_param(request: Request, name: str) -> list[str]:
    """A list query parameter, given repeated (`?p=a&p=b`, the client's way) or comma-separated."""
    values: list[str] = []
    for raw in request.query_params.getlist(name):
        values.extend(v.strip() for v in raw.split(",") if v.strip())
    return values


def bool_param(request: Request, name: str, default: bool = False) -> bool:
    raw = request.query_params.get(name)
    return default if raw is None else raw.lower() == "true"


def object_type(portal: Portal, name: str) -> ObjectTypeDef:
    found = portal.resolve_type(name)
    if found is None:
        raise unknown_object_type(name)
    return found


async def json_body(request: Request) -> dict:
    raw = await request.body()
    try:
        body = json.loads(raw or b"{}")
    except json.JSONDecodeError as exc:
        raise validation(f"Invalid input JSON on line {exc.lineno}, column {exc.colno}: {exc.msg}") from None
    if not isinstance(body, dict):
        raise validation("Invalid input JSON on line 1, column 1: expected an object")
    return body
