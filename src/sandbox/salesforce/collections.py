"""sObject Collections (`/composite/sobjects`): create, update, upsert by external id and delete up to 200
records in one call, with one SaveResult per record in order and `allOrNone` (default false; true rolls
every write of the call back when any record fails)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from sandbox.salesforce.context import OrgContext, json_body, ok, version_of
from sandbox.salesforce.errors import ApiError, RecordError
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


def routes(ctx: OrgContext) -> list[Route]:
    store = ctx.store

    async def create_update_delete(request: Request) -> JSONResponse:
        version_of(request)
        if request.method == "DELETE":
            ids = [i for i in request.query_params.get("ids", "").split(",") if i]
            if len(ids) > MAX_RECORDS:
                raise too_many()
            all_or_none = request.query_params.get("allOrNone", "false").lower() == "true"

            def delete(record_id: str) -> dict[str, Any]:
                found = store.get(record_id)
                if found is None:
                    raise RecordError("INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id")
                store.delete(found[0].name, record_id)
                return {"id": found[1]["Id"]}

            return ok(apply_all(store, ids, all_or_none, delete))
        records, all_or_none = _records(await json_body(request))
        for record in records:
            store.require(_type_of(record))

        def create(record: dict[str, Any]) -> dict[str, Any]:
            if record.get("id") or record.get("Id"):
                raise RecordError("INVALID_FIELD", "cannot specify Id in an insert call", ["Id"])
            return {"id": store.create(_type_of(record), record)}

        def update(record: dict[str, Any]) -> dict[str, Any]:
            record_id = record.get("id") or record.get("Id")
            if not record_id:
                raise RecordError("MISSING_ARGUMENT", "Id not specified in an update call", [])
            store.update(_type_of(record), record_id, {k: v for k, v in record.items() if k not in ("Id",)})
            return {"id": store.get(record_id)[1]["Id"]}  # type: ignore[index]

        return ok(apply_all(store, records, all_or_none, create if request.method == "POST" else update))

    async def upsert(request: Request) -> JSONResponse:
        version_of(request)
        d = store.require(request.path_params["sobject"])
        ext = request.path_params["field"]
        records, all_or_none = _records(await json_body(request))
        f = d.field(ext)
        if f is None or not (f.external_id or f.name == "Id"):
            raise ApiError(400, "INVALID_FIELD", f"Field name provided, {ext} is not an External ID or indexed "
                                                 f"field for {d.name}", [])

        def write(record: dict[str, Any]) -> dict[str, Any]:
            if _type_of(record, d.name).lower() != d.name.lower():
                raise RecordError("INVALID_TYPE", f"Must send a record of type {d.name}", [])
            value = next((v for k, v in record.items() if k.lower() == f.name.lower()), None)
            if value is None:
                raise RecordError("MISSING_ARGUMENT", f"{f.name} not specified", [f.name])
            record_id, created = store.upsert(d.name, f.name, value, record)
            return {"id": record_id, "created": created}

        results = apply_all(store, records, all_or_none, write)
        return ok([{"created": r.get("created", False), **r} if r["success"] else {**r, "created": False}
                   for r in results])

    base = "/services/data/v{version}/composite/sobjects"
    return [
        Route(base, create_update_delete, methods=["POST", "PATCH", "DELETE"]),
        Route(base + "/", create_update_delete, methods=["POST", "PATCH", "DELETE"]),
        Route(base + "/{sobject}/{field}", upsert, methods=["PATCH"]),
    ]
