"""sObject Collections (`/composite/sobjects`): create, update, upsert by external id and delete up to 200
records in one call, with one SaveResult per record in order and `allOrNone` (default false; true rolls
every write of the call back when any record fails)."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from sandbox.salesforce.context import OrgContext, json_body, ok, version_of
from sandbox.salesforce.errors import ApiError, RecordError
from sandbox.salesforce.field_security import FieldAccess
from sandbox.salesforce.metadata import FieldDef, SObjectDef
from sandbox.salesforce.store import Store

MAX_RECORDS = 200
ROLLED_BACK = {"statusCode": "ALL_OR_NONE_OPERATION_ROLLED_BACK",
               "message": "Record rolled back because not all records were valid and the request was using "
                          "AllOrNone header", "fields": []}


def too_many() -> ApiError:
    return ApiError(400, "EXCEEDED_ID_LIMIT", "record limit reached. cannot submit more than 200 records into "
                                              "this call", [])


def _records(payload: Any) -> tuple[list[dict[str, Any]], bool]:
    if not isinstance(payload, dict) or not isinstance(payload.get("records"), list):
        raise ApiError(400, "JSON_PARSER_ERROR", "Cannot deserialize instance of sObject collection: expected "
                                                 "an object with a records array", [])
    records = payload["records"]
    if len(records) > MAX_RECORDS:
        raise too_many()
    return records, bool(payload.get("allOrNone", False))


def _type_of(record: dict[str, Any], default: str | None = None) -> str:
    kind = (record.get("attributes") or {}).get("type") or default
    if not kind:
        raise ApiError(400, "INVALID_TYPE", "Must send a concrete entity type.", [])
    return kind


def apply_all(store: Store, items: list[Any], all_or_none: bool,
              write: Callable[[Any], dict[str, Any]]) -> list[dict[str, Any]]:
    """Run `write` per item under the store lock; a RecordError becomes that item's failed SaveResult."""
    results: list[dict[str, Any]] = []
    with store.lock:
        if all_or_none:
            store.begin()
        failed = False
        try:
            for item in items:
                try:
                    results.append({**write(item), "success": True, "errors": []})
                except RecordError as exc:
                    failed = True
                    results.append({"id": _item_id(item), "success": False, "errors": [exc.as_save_error()]})
        except BaseException:
            if all_or_none:
                store.rollback()
            raise
        if all_or_none and failed:
            store.rollback()
            results = [r if not r["success"] else {**{k: v for k, v in r.items() if k != "id"}, "id": None,
                                                   "success": False, "errors": [ROLLED_BACK]} for r in results]
        elif all_or_none:
            store.commit()
    return results


def _item_id(item: Any) -> str | None:
    if isinstance(item, dict):
        return item.get("id") or item.get("Id")
    return item if isinstance(item, str) else None


def _create_one(store: Store, access: FieldAccess | None, record: dict[str, Any]) -> dict[str, Any]:
    if record.get("id") or record.get("Id"):
        raise RecordError("INVALID_FIELD", "cannot specify Id in an insert call", ["Id"])
    return {"id": store.create(_type_of(record), record, access=access)}


def _update_one(store: Store, access: FieldAccess | None, record: dict[str, Any]) -> dict[str, Any]:
    record_id = record.get("id") or record.get("Id")
    if not record_id:
        raise RecordError("MISSING_ARGUMENT", "Id not specified in an update call", [])
    store.update(_type_of(record), record_id, {k: v for k, v in record.items() if k not in ("Id",)}, access=access)
    return {"id": store.get(record_id)[1]["Id"]}  # type: ignore[index]


def _delete_one(store: Store, record_id: str) -> dict[str, Any]:
    found = store.get(record_id)
    if found is None:
        raise RecordError("INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id")
    store.delete(found[0].name, record_id)
    return {"id": found[1]["Id"]}


def _upsert_one(store: Store, access: FieldAccess | None, d: SObjectDef, f: FieldDef,
                record: dict[str, Any]) -> dict[str, Any]:
    if _type_of(record, d.name).lower() != d.name.lower():
        raise RecordError("INVALID_TYPE", f"Must send a record of type {d.name}", [])
    value = next((v for k, v in record.items() if k.lower() == f.name.lower()), None)
    if value is None:
        raise RecordError("MISSING_ARGUMENT", f"{f.name} not specified", [f.name])
    record_id, created = store.upsert(d.name, f.name, value, record, access=access)
    return {"id": record_id, "created": created}


class CollectionHandlers:
    """The handlers of `/composite/sobjects` over one org; one method per endpoint (path and HTTP method)."""

    def __init__(self, ctx: OrgContext) -> None:
        self.ctx = ctx
        self.store = ctx.store

    async def _typed_records(self, request: Request) -> tuple[list[dict[str, Any]], bool]:
        """The body's records, every one of a known type (checked before any write), and allOrNone."""
        records, all_or_none = _records(await json_body(request))
        for record in records:
            self.store.require(_type_of(record))
        return records, all_or_none

    async def create(self, request: Request) -> JSONResponse:
        version_of(request)
        records, all_or_none = await self._typed_records(request)
        return ok(apply_all(self.store, records, all_or_none, partial(_create_one, self.store, self.ctx.access())))

    async def update(self, request: Request) -> JSONResponse:
        version_of(request)
        records, all_or_none = await self._typed_records(request)
        return ok(apply_all(self.store, records, all_or_none, partial(_update_one, self.store, self.ctx.access())))

    async def delete(self, request: Request) -> JSONResponse:
        version_of(request)
        ids = [i for i in request.query_params.get("ids", "").split(",") if i]
        if len(ids) > MAX_RECORDS:
            raise too_many()
        all_or_none = request.query_params.get("allOrNone", "false").lower() == "true"
        return ok(apply_all(self.store, ids, all_or_none, partial(_delete_one, self.store)))

    async def upsert(self, request: Request) -> JSONResponse:
        version_of(request)
        d = self.store.require(request.path_params["sobject"])
        ext = request.path_params["field"]
        records, all_or_none = _records(await json_body(request))
        f = d.field(ext)
        access = self.ctx.access()
        if f is None or not (f.external_id or f.name == "Id") or (access and not access.can_read(d, f)):
            raise ApiError(400, "INVALID_FIELD", f"Field name provided, {ext} is not an External ID or indexed "
                                                 f"field for {d.name}", [])
        results = apply_all(self.store, records, all_or_none, partial(_upsert_one, self.store, access, d, f))
        return ok([{"created": r.get("created", False), **r} if r["success"] else {**r, "created": False}
                   for r in results])


def routes(ctx: OrgContext) -> list[Route]:
    """This module's endpoints; each route's name is its endpoint label."""
    # One route per HTTP method; Starlette answers 405 for a path whose routes all refuse the method.
    h = CollectionHandlers(ctx)
    base = "/services/data/v{version}/composite/sobjects"
    return [
        Route(base, h.create, name="collections", methods=["POST"]),
        Route(base, h.update, name="collections", methods=["PATCH"]),
        Route(base, h.delete, name="collections", methods=["DELETE"]),
        Route(base + "/", h.create, name="collections", methods=["POST"]),
        Route(base + "/", h.update, name="collections", methods=["PATCH"]),
        Route(base + "/", h.delete, name="collections", methods=["DELETE"]),
        Route(base + "/{sobject}/{field}", h.upsert, name="collections", methods=["PATCH"]),
    ]
