"""`/sobjects`: the object list, describe, and single-record create / read / update / delete / upsert."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from sandbox.salesforce.context import OrgContext, json_body, ok, version_of
from sandbox.salesforce.errors import ApiError, RecordError, not_found
from sandbox.salesforce.field_security import FieldAccess
from sandbox.salesforce.ids import to_18
from sandbox.salesforce.metadata import SObjectDef
from sandbox.salesforce.record import Record
from sandbox.salesforce.values import coerce, looks_like_id, to_json


def render_record(d: SObjectDef, rec: Record, version: str, fields: list[str] | None = None,
                  access: FieldAccess | None = None) -> dict[str, Any]:
    """A record as GET /sobjects/{type}/{id} answers it: every field the user may read, or `fields`."""
    out: dict[str, Any] = {"attributes": {"type": d.name, "url": f"{d.url(version)}/{rec['Id']}"}}
    readable = [f.name for f in d.fields.values() if access is None or access.can_read(d, f)]
    for name in fields or readable:
        f = d.field(name)
        if f is None or (access is not None and not access.can_read(d, f)):
            raise ApiError(400, "INVALID_FIELD", f"No such column '{name}' on entity '{d.name}'. If you are "
                           "attempting to use a custom field, be sure to append the '__c' after the custom field "
                           "name. Please reference your WSDL or the describe call for the appropriate names.")
        out[f.name] = to_json(rec.get(f.name))
    return out


def _body(payload: Any) -> dict[str, Any]:
    if not isinstance(payload, dict):
        raise ApiError(400, "JSON_PARSER_ERROR", "Cannot deserialize instance of sObject from START_ARRAY value")
    return payload


def _live(ctx: OrgContext, d: SObjectDef, record_id: str) -> Record:
    found = ctx.store.get(record_id) if looks_like_id(record_id) else None
    if found is None or found[0].name != d.name or found[1]["IsDeleted"]:
        raise not_found()
    return found[1]


class SObjectHandlers:
    """The handlers of `/sobjects` over one org; one method per endpoint (path and HTTP method)."""

    def __init__(self, ctx: OrgContext) -> None:
        self.ctx = ctx
        self.store = ctx.store

    async def list_objects(self, request: Request) -> JSONResponse:
        version = version_of(request)
        access = self.ctx.access()
        return ok({"encoding": "UTF-8", "maxBatchSize": 200,
                   "sobjects": [d.summary(version) for d in self.store.objects.values()
                                if access is None or access.object_allows(d, "read")]})

    async def describe(self, request: Request) -> JSONResponse:
        version = version_of(request)
        return ok(self.store.describe(request.path_params["sobject"], version, self.ctx.access()))

    async def object_summary(self, request: Request) -> Response:
        version = version_of(request)
        d = self.store.require(request.path_params["sobject"], self.ctx.access())
        return ok({"objectDescribe": d.summary(version), "recentItems": []})

    async def create_record(self, request: Request) -> Response:
        version_of(request)
        d = self.store.require(request.path_params["sobject"])
        try:
            new_id = self.store.create(d.name, _body(await json_body(request)), access=self.ctx.access())
        except RecordError as exc:
            raise exc.as_api_error() from None
        return ok({"id": new_id, "success": True, "errors": []}, 201)

    async def get_record(self, request: Request) -> Response:
        version = version_of(request)
        d = self.store.require(request.path_params["sobject"], self.ctx.access())
        fields = request.query_params.get("fields")
        chosen = [f.strip() for f in fields.split(",")] if fields else None
        return ok(render_record(d, _live(self.ctx, d, request.path_params["record_id"]), version, chosen,
                                self.ctx.access()))

    async def update_record(self, request: Request) -> Response:
        version_of(request)
        d = self.store.require(request.path_params["sobject"])
        record_id = request.path_params["record_id"]
        _live(self.ctx, d, record_id)
        try:
            self.store.update(d.name, record_id, _body(await json_body(request)), access=self.ctx.access())
        except RecordError as exc:
            raise exc.as_api_error() from None
        return Response(status_code=204)

    async def delete_record(self, request: Request) -> Response:
        version_of(request)
        d = self.store.require(request.path_params["sobject"])
        record_id = request.path_params["record_id"]
        found = self.store.get(record_id)
        if found is None or found[0].name != d.name:
            raise not_found()
        if found[1]["IsDeleted"]:
            raise ApiError(404, "ENTITY_IS_DELETED", "entity is deleted", [])
        try:
            self.store.delete(d.name, record_id)
        except RecordError as exc:
            raise exc.as_api_error() from None
        return Response(status_code=204)

    async def get_by_external_id(self, request: Request) -> Response:
        version = version_of(request)
        access = self.ctx.access()
        d = self.store.require(request.path_params["sobject"], access)
        f = d.field(request.path_params["field"])
        if f is None or (access is not None and not access.can_read(d, f)):
            raise not_found()
        key = coerce(f, request.path_params["value"])
        key = to_18(key) if f.type == "id" and looks_like_id(key) else key
        matches = [r for r in self.store.rows(d.name) if r.get(f.name) == key]
        if not matches:
            raise not_found()
        return ok(render_record(d, matches[0], version, access=access))

    async def upsert_by_external_id(self, request: Request) -> Response:
        version_of(request)
        d = self.store.require(request.path_params["sobject"])
        field_name, value = request.path_params["field"], request.path_params["value"]
        try:
            record_id, created = self.store.upsert(d.name, field_name, value, _body(await json_body(request)),
                                                   access=self.ctx.access())
        except RecordError as exc:
            raise exc.as_api_error() from None
        return ok({"id": record_id, "success": True, "errors": [], "created": created}, 201 if created else 200)


def routes(ctx: OrgContext) -> list[Route]:
    """This module's endpoints; each route's name is its endpoint label."""
    # One route per HTTP method; Starlette answers 405 for a path whose routes all refuse the method.
    h = SObjectHandlers(ctx)
    base = "/services/data/v{version}/sobjects"
    return [
        Route(base, h.list_objects, methods=["GET"], name="sobjects"),
        Route(base + "/", h.list_objects, methods=["GET"], name="sobjects"),
        Route(base + "/{sobject}/describe", h.describe, methods=["GET"], name="describe"),
        Route(base + "/{sobject}/describe/", h.describe, methods=["GET"], name="describe"),
        Route(base + "/{sobject}", h.object_summary, methods=["GET"], name="sobject"),
        Route(base + "/{sobject}", h.create_record, methods=["POST"], name="sobject"),
        Route(base + "/{sobject}/", h.object_summary, methods=["GET"], name="sobject"),
        Route(base + "/{sobject}/", h.create_record, methods=["POST"], name="sobject"),
        Route(base + "/{sobject}/{record_id}", h.get_record, methods=["GET"], name="record"),
        Route(base + "/{sobject}/{record_id}", h.update_record, methods=["PATCH"], name="record"),
        Route(base + "/{sobject}/{record_id}", h.delete_record, methods=["DELETE"], name="record"),
        Route(base + "/{sobject}/{field}/{value}", h.get_by_external_id, methods=["GET"], name="upsert"),
        Route(base + "/{sobject}/{field}/{value}", h.upsert_by_external_id, methods=["PATCH"],
              name="upsert"),
    ]
