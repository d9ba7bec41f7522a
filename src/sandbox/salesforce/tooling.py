"""Tooling API: create custom fields and custom objects (`POST /tooling/sobjects/CustomField|CustomObject`)
and look them up (`GET /tooling/query?q=` over CustomField, CustomObject and EntityDefinition). A created
field or object is at once part of describe, queryable and writable.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from sandbox.salesforce.context import OrgContext, json_body, ok, version_of
from sandbox.salesforce.errors import ApiError
from sandbox.salesforce.metadata import FieldDef, SObjectDef
from sandbox.salesforce.query import batch_size, run_query
from sandbox.salesforce.standard_objects import _currency, _obj, _ref
from sandbox.salesforce.store import Store

# Metadata API field types -> describe types
FIELD_TYPES = {"Number": "double", "Currency": "currency", "Percent": "percent", "Text": "string",
               "TextArea": "textarea", "LongTextArea": "textarea", "Checkbox": "boolean", "Date": "date",
               "DateTime": "datetime", "Picklist": "picklist", "Email": "email", "Phone": "phone", "Url": "url",
               "Lookup": "reference"}


def tooling_store() -> Store:
    """The Tooling API's own objects; SOQL over them reuses the main evaluator."""
    objects = {
        "CustomField": _obj("CustomField", "00N", [
            FieldDef("DeveloperName", "string"), FieldDef("TableEnumOrId", "string"),
            FieldDef("FullName", "string"), FieldDef("NamespacePrefix", "string")]),
        "CustomObject": _obj("CustomObject", "01I", [
            FieldDef("DeveloperName", "string"), FieldDef("FullName", "string"),
            FieldDef("NamespacePrefix", "string")]),
        "EntityDefinition": _obj("EntityDefinition", "000", [
            FieldDef("QualifiedApiName", "string"), FieldDef("DeveloperName", "string"),
            FieldDef("KeyPrefix", "string"), FieldDef("IsCustomizable", "boolean")]),
    }
    return Store(objects)


def _duplicate(message: str) -> ApiError:
    return ApiError(400, "DUPLICATE_DEVELOPER_NAME", message, [])


def _metadata(payload: Any) -> tuple[str, dict[str, Any]]:
    if not isinstance(payload, dict) or not isinstance(payload.get("FullName"), str):
        raise ApiError(400, "REQUIRED_FIELD_MISSING", "Required fields are missing: [FullName]", ["FullName"])
    return payload["FullName"], payload.get("Metadata") or {}


def field_from_metadata(api_name: str, meta: dict[str, Any]) -> FieldDef:
    kind = FIELD_TYPES.get(str(meta.get("type")))
    if kind is None:
        raise ApiError(400, "FIELD_INTEGRITY_EXCEPTION", f"Invalid field type: {meta.get('type')}", ["type"])
    values = [v.get("fullName") for v in (((meta.get("valueSet") or {}).get("valueSetDefinition") or {})
                                          .get("value") or [])]
    ref = (meta.get("referenceTo"),) if kind == "reference" and meta.get("referenceTo") else ()
    return FieldDef(api_name, kind, label=meta.get("label") or api_name.removesuffix("__c"), custom=True,
                    external_id=bool(meta.get("externalId")), unique=bool(meta.get("unique")),
                    nillable=not meta.get("required"), precision=int(meta.get("precision") or 0),
                    scale=int(meta.get("scale") or 0), length=int(meta.get("length") or 0),
                    picklist=tuple(v for v in values if v), reference_to=ref,  # type: ignore[arg-type]
                    relationship_name=api_name.removesuffix("__c") + "__r" if ref else None)


def create_field(store: Store, tooling: Store, full_name: str, meta: dict[str, Any]) -> str:
    """Add custom field `Object.Field__c` to the org's sObject; the new CustomField's id."""
    sobject_name, _, api_name = full_name.partition(".")
    d = store.sobject(sobject_name)
    if d is None or not api_name.endswith("__c"):
        raise ApiError(400, "INVALID_FIELD", f"Invalid FullName: {full_name}. Use Object.Field__c.",
                       ["FullName"])
    if d.field(api_name) is not None:
        raise _duplicate(f"There is already a field named {api_name.removesuffix('__c')} on {d.name}.")
    d.add_field(field_from_metadata(api_name, meta))
    return tooling.create("CustomField", {"DeveloperName": api_name.removesuffix("__c"),
                                          "TableEnumOrId": d.name, "FullName": f"{d.name}.{api_name}"})


def create_object(store: Store, tooling: Store, full_name: str, meta: dict[str, Any]) -> str:
    """Add custom object `Name__c` (Name, OwnerId, CurrencyIsoCode) to the org; the new CustomObject's id."""
    if not full_name.endswith("__c"):
        raise ApiError(400, "INVALID_FIELD", f"Invalid FullName: {full_name}. Custom objects end in __c.",
                       ["FullName"])
    if store.sobject(full_name) is not None:
        raise _duplicate(f"There is already a Custom Object named {full_name.removesuffix('__c')}.")
    name_field = meta.get("nameField") or {}
    auto = name_field.get("type") == "AutoNumber"
    fields = [FieldDef("Name", "string", label=name_field.get("label") or "Name",
                       createable=not auto, updateable=not auto, nillable=auto),
              _ref("OwnerId", "User", rel="Owner", defaulted_on_create=True, nillable=False), _currency()]
    d: SObjectDef = _obj(full_name, store.next_custom_prefix(), fields, label=meta.get("label") or "",
                         custom=True)
    store.add_object(d)
    return tooling.create("CustomObject", {"DeveloperName": full_name.removesuffix("__c"),
                                           "FullName": full_name})


# Tooling sObject (lower case, as the path may spell it) -> what creating one does.
CREATORS: dict[str, Callable[[Store, Store, str, dict[str, Any]], str]] = {
    "customfield": create_field, "customobject": create_object}


def _refresh_entity_definitions(store: Store, tooling: Store) -> None:
    """EntityDefinition mirrors the org's sObjects, custom ones created since included."""
    with tooling.lock:
        tooling.tables["EntityDefinition"].clear()
        tooling.load("EntityDefinition", [
            {"Id": "000" + d.key_prefix + "000000000", "QualifiedApiName": d.name,
             "DeveloperName": d.name.removesuffix("__c"), "KeyPrefix": d.key_prefix, "IsCustomizable": True}
            for d in store.objects.values()])


class ToolingHandlers:
    """The handlers of `/tooling` over one org and its Tooling store; one method per endpoint."""

    def __init__(self, ctx: OrgContext) -> None:
        self.ctx = ctx
        self.store = ctx.store
        self.tooling = ctx.tooling = ctx.tooling or tooling_store()

    async def create(self, request: Request) -> JSONResponse:
        version_of(request)
        creator = CREATORS.get(request.path_params["sobject"].lower())
        if creator is None:
            raise ApiError(400, "INVALID_TYPE", f"sObject type '{request.path_params['sobject']}' is not "
                                                "supported by this sandbox's Tooling API.")
        full_name, meta = _metadata(await json_body(request))
        with self.store.lock:
            new_id = creator(self.store, self.tooling, full_name, meta)
        return ok({"id": new_id, "success": True, "errors": [], "warnings": [], "infos": []}, 201)

    async def query(self, request: Request) -> JSONResponse:
        version = version_of(request)
        _refresh_entity_definitions(self.store, self.tooling)
        soql = request.query_params.get("q")
        if not soql:
            raise ApiError(400, "MALFORMED_QUERY", "A query string must be provided.")
        ctx_tooling = OrgContext(self.tooling, self.ctx.runtime, cursors=self.ctx.cursors,
                                 enforce_field_security=False)
        return ok(run_query(ctx_tooling, soql, False, version, batch_size(request), "tooling/query"))


def routes(ctx: OrgContext) -> list[Route]:
    """This module's endpoints; each route's name is its endpoint label."""
    h = ToolingHandlers(ctx)
    base = "/services/data/v{version}/tooling"
    return [
        Route(base + "/sobjects/{sobject}", h.create, name="tooling", methods=["POST"]),
        Route(base + "/sobjects/{sobject}/", h.create, name="tooling", methods=["POST"]),
        Route(base + "/query", h.query, name="tooling_query", methods=["GET"]),
        Route(base + "/query/", h.query, name="tooling_query", methods=["GET"]),
    ]
