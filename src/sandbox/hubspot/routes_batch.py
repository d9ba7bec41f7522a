"""/crm/v3/objects/{type}/batch/{read,create,update,upsert,archive}.

At most 100 inputs. Read/update/upsert answer 200 when every input succeeded and 207 with
`numErrors` and `errors[]` otherwise; create answers 201 (207 on partial failure); archive 204.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from sandbox.hubspot.catalog import ObjectTypeDef
from sandbox.hubspot.context import PortalContext, versioned
from sandbox.hubspot.errors import ApiError, batch_error, validation
from sandbox.hubspot.properties import iso_millis
from sandbox.hubspot.record import Record
from sandbox.hubspot.render import bool_param, json_body, object_type, record_json
from sandbox.hubspot.writes import Writer
from sandbox.json_response import FastJSONResponse

MAX_INPUTS = 100


def _inputs(body: dict[str, Any]) -> list[dict[str, Any]]:
    inputs = body.get("inputs")
    if not isinstance(inputs, list):
        raise validation("Invalid input JSON: `inputs` is required")
    if len(inputs) > MAX_INPUTS:
        # Modelled on HubSpot's bean-validation wording for the `inputs` size constraint.
        raise validation(f"Invalid input: inputs size must be between 0 and {MAX_INPUTS} (got {len(inputs)})",
                         context={"inputs": [str(len(inputs))]},
                         errors=[{"message": f"size must be between 0 and {MAX_INPUTS}", "in": "inputs"}])
    if any(not isinstance(i, dict) for i in inputs):
        raise validation("Invalid input JSON: every input must be an object")
    return inputs


def _entry(exc: ApiError, key: str) -> dict[str, Any]:
    """A failed input as an `errors[]` entry; nested HubSpot validation errors become ErrorDetails."""
    context = dict(exc.context or {})
    context.setdefault("ids", [key])
    return batch_error(exc.category, exc.message, context, errors=exc.errors)


class BatchRun:
    """Timing and outcome of one batch request."""

    def __init__(self, writer: Writer):
        self.writer = writer
        self.started = writer.portal.store.clock()
        self.results: list[dict[str, Any]] = []
        self.errors: list[dict[str, Any]] = []

    def respond(self, ok_status: int) -> FastJSONResponse:
        body: dict[str, Any] = {"status": "COMPLETE", "results": self.results}
        if self.errors:
            body["numErrors"] = len(self.errors)
            body["errors"] = self.errors
        body["startedAt"] = iso_millis(self.started)
        body["completedAt"] = iso_millis(self.writer.portal.store.clock())
        return FastJSONResponse(body, status_code=207 if self.errors else ok_status)


class BatchRoutes:
    """The handlers of this module over one portal; each handler is a method."""

    def __init__(self, ctx: PortalContext) -> None:
        self.writer = ctx.writer
        self.portal = ctx.portal

    async def read(self, request: Request) -> Response:
        type_def = object_type(self.portal, request.path_params["type"])
        body = await json_body(request)
        inputs = _inputs(body)
        id_property = body.get("idProperty")
        if id_property and id_property not in type_def.properties:
            raise validation(f'Property "{id_property}" does not exist')
        archived = bool_param(request, "archived")
        run, missing = BatchRun(self.writer), []
        for item in inputs:
            key = str(item.get("id", ""))
            record = self.portal.store.find_by(type_def.name, id_property, key) if id_property else \
                self.portal.store.get(type_def.name, key, archived=archived)
            if record is None or record.archived != archived:
                missing.append(key)
                continue
            run.results.append(record_json(self.portal, type_def, record, body.get("properties") or [],
                                           body.get("propertiesWithHistory") or []))
        if missing:
            run.errors.append(batch_error(
                "OBJECT_NOT_FOUND",
                f"Could not get some {type_def.upper} objects, they may be deleted or not exist. "
                "Check that ids are valid.", {"ids": missing}))
        return run.respond(200)

    async def create(self, request: Request) -> Response:
        type_def = object_type(self.portal, request.path_params["type"])
        inputs = _inputs(await json_body(request))
        run = BatchRun(self.writer)
        for index, item in enumerate(inputs):
            try:
                record = self.writer.create(type_def, item.get("properties") or {}, item.get("associations"),
                                       fault_key=item.get("objectWriteTraceId") or f"new:{index}")
                run.results.append(record_json(self.portal, type_def, record, list(item.get("properties") or {})))
            except ApiError as exc:
                run.errors.append(_entry(exc, item.get("objectWriteTraceId") or str(index)))
        return run.respond(201)

    async def update(self, request: Request) -> Response:
        type_def = object_type(self.portal, request.path_params["type"])
        inputs = _inputs(await json_body(request))
        run = BatchRun(self.writer)
        for item in inputs:
            key = str(item.get("id", ""))
            id_property = item.get("idProperty")
            try:
                record = self.portal.store.find_by(type_def.name, id_property, key) if id_property else \
                    self.portal.store.get(type_def.name, key)
                if record is None:
                    raise ApiError(404, "OBJECT_NOT_FOUND",
                                   f"Could not get some {type_def.upper} objects, they may be deleted or not "
                                   "exist. Check that ids are valid.", context={"ids": [key]})
                record = self.writer.update(type_def, record.id, item.get("properties") or {})
                run.results.append(record_json(self.portal, type_def, record, list(item.get("properties") or {})))
            except ApiError as exc:
                run.errors.append(_entry(exc, key))
        return run.respond(200)

    async def upsert(self, request: Request) -> Response:
        type_def = object_type(self.portal, request.path_params["type"])
        inputs = _inputs(await json_body(request))
        run = BatchRun(self.writer)
        for item in inputs:
            key = str(item.get("id", ""))
            try:
                record, new = _upsert_one(self.writer, type_def, item, key)
                body = record_json(self.portal, type_def, record, list(item.get("properties") or {}))
                body["new"] = new
                run.results.append(body)
            except ApiError as exc:
                run.errors.append(_entry(exc, key))
        return run.respond(200)

    async def archive(self, request: Request) -> Response:
        type_def = object_type(self.portal, request.path_params["type"])
        for item in _inputs(await json_body(request)):
            self.portal.store.archive(type_def.name, str(item.get("id", "")))
        return Response(status_code=204)



def routes(ctx: PortalContext) -> list[Route]:
    """This module's endpoints, under /crm/v3/objects and the dated paths; each route's name is its label."""
    h = BatchRoutes(ctx)
    return [Route(f"{base}/{{type}}/batch/{verb}", handler, methods=["POST"], name=f"batch_{verb}")
            for base in versioned("crm/objects", "v3")
            for verb, handler in (("read", h.read), ("create", h.create), ("update", h.update),
                                  ("upsert", h.upsert), ("archive", h.archive))]


def _upsert_one(writer: Writer, type_def: ObjectTypeDef, item: dict[str, Any], key: str) -> tuple[Record, bool]:
    """Update the record whose idProperty equals `key`, or create it with that value set."""
    id_property = item.get("idProperty") or "hs_object_id"
    prop = type_def.properties.get(id_property)
    if prop is None:
        raise validation(f'Property "{id_property}" does not exist', context={"idProperty": [id_property]})
    if id_property != "hs_object_id" and not prop.has_unique_value:
        raise validation(f"Property {id_property} is not a unique identifier property and cannot be used as "
                         "idProperty for upsert", context={"idProperty": [id_property]})
    existing = writer.portal.store.find_by(type_def.name, id_property, key)
    properties = dict(item.get("properties") or {})
    if existing is not None:
        return writer.update(type_def, existing.id, properties), False
    if id_property == "hs_object_id":
        raise ApiError(404, "OBJECT_NOT_FOUND", "Object not found.  objectId are usually numeric.",
                       context={"ids": [key]})
    properties[id_property] = key
    return writer.create(type_def, properties, fault_key=key), True
