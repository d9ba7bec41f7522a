"""Field-level security: which custom fields the API user may read and edit, as permission sets decide.

On a real org a profile or permission set must grant a field before a user sees it: describe leaves the
field out, SOQL on it answers INVALID_FIELD ("No such column"), and a write to a field the user cannot
edit fails that record with INVALID_FIELD_FOR_INSERT_UPDATE. The sandbox models what a connector's
install has to do through the API:

    PermissionSet {Name, Label}                                      POST /sobjects/PermissionSet
    FieldPermissions {ParentId, SobjectType, Field: "Obj.Fld__c",
                      PermissionsRead, PermissionsEdit}               POST /sobjects/FieldPermissions
    PermissionSetAssignment {AssigneeId: the user, PermissionSetId}   POST /sobjects/PermissionSetAssignment

A user may read (edit) a custom field when any permission set assigned to them has a FieldPermissions row
for it with PermissionsRead (PermissionsEdit). Standard fields stay readable, and editable as describe
says, as they are for an integration user on a real org. Object permissions (`ObjectPermissions`) are
modelled beside this, in `sandbox.salesforce.object_security`.

When a sandbox starts, the custom fields its org already has are granted to the integration user by the
permission set `ORG_FIELDS_PERMISSION_SET` (the org's admin did that before the connector came), with
every object permission on its custom objects; fields and objects created later through the Tooling API
start with no access until a permission set grants them.
"""

from __future__ import annotations

from dataclasses import dataclass

from sandbox.salesforce.errors import RecordError
from sandbox.salesforce.metadata import FieldDef, SObjectDef
from sandbox.salesforce.object_security import (
    ObjectAccess,
    Operation,
    check_object_permission,
    grant_org_objects,
    object_access,
)
from sandbox.salesforce.permission_records import PermissionRecords
from sandbox.salesforce.record import Record

ORG_FIELDS_PERMISSION_SET = "Sandbox_Org_Field_Access"


def _key(sobject: str, field: str) -> str:
    return f"{sobject}.{field}".lower()


@dataclass(frozen=True)
class FieldAccess:
    """What one user may do with custom fields: `Obj.Field__c` keys (lower case) they may read / edit; and,
    when `objects` is set, with custom objects (object permissions)."""

    readable: frozenset[str]
    editable: frozenset[str]
    objects: ObjectAccess | None = None

    def object_allows(self, d: SObjectDef, operation: Operation) -> bool:
        return self.objects is None or self.objects.allows(d, operation)

    def can_read(self, d: SObjectDef, f: FieldDef) -> bool:
        return not f.custom or _key(d.name, f.name) in self.readable

    def can_edit(self, d: SObjectDef, f: FieldDef) -> bool:
        return not f.custom or _key(d.name, f.name) in self.editable


def field_access(records: PermissionRecords, user_id: str | None) -> FieldAccess:
    """The union of the FieldPermissions of every permission set assigned to `user_id`."""
    sets = {r["PermissionSetId"] for r in records.rows("PermissionSetAssignment") if r.get("AssigneeId") == user_id}
    readable: set[str] = set()
    editable: set[str] = set()
    for grant in records.rows("FieldPermissions"):
        if grant.get("ParentId") not in sets or not grant.get("Field"):
            continue
        key = str(grant["Field"]).lower()
        if grant.get("PermissionsRead") or grant.get("PermissionsEdit"):
            readable.add(key)
        if grant.get("PermissionsEdit"):
            editable.add(key)
    return FieldAccess(frozenset(readable), frozenset(editable), object_access(records, user_id))


def check_permission_record(records: PermissionRecords, name: str, rec: Record) -> None:
    """Refuse FieldPermissions / ObjectPermissions / PermissionSetAssignment rows a real org refuses (called
    on every API write)."""
    if name == "FieldPermissions":
        _check_field_permission(records, rec)
    elif name == "ObjectPermissions":
        check_object_permission(records, rec)
    elif name == "PermissionSetAssignment":
        for other in records.rows(name):
            if other["Id"] != rec["Id"] and (other.get("AssigneeId"), other.get("PermissionSetId")) == (
                    rec.get("AssigneeId"), rec.get("PermissionSetId")):
                raise RecordError("DUPLICATE_VALUE", "duplicate value found: <unknown> duplicates value on record "
                                                     f"with id: {other['Id']}", [])


def _check_field_permission(records: PermissionRecords, rec: Record) -> None:
    sobject_name, _, field_name = str(rec.get("Field") or "").partition(".")
    d = records.sobject(sobject_name)
    f = d.field(field_name) if d is not None else None
    if d is None or f is None or (rec.get("SobjectType") or "").lower() != d.name.lower():
        raise RecordError("INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
                          f"Field Name: bad value for restricted picklist field: {rec.get('Field')}", ["Field"])
    if rec.get("PermissionsEdit") and not rec.get("PermissionsRead"):
        raise RecordError("FIELD_INTEGRITY_EXCEPTION", "Permission Edit depends on permission(s): Read",
                          ["PermissionsEdit"])
    for other in records.rows("FieldPermissions"):
        if other["Id"] != rec["Id"] and other.get("ParentId") == rec.get("ParentId") and \
                str(other.get("Field")).lower() == _key(d.name, f.name):
            raise RecordError("DUPLICATE_VALUE", "duplicate value found: <unknown> duplicates value on record "
                                                 f"with id: {other['Id']}", [])
    rec["Field"], rec["SobjectType"] = f"{d.name}.{f.name}", d.name


def grant_org_fields(records: PermissionRecords) -> None:
    """Grant the integration user read (and edit, where describe allows) on every custom field the org has
    now, and every object permission on its custom objects, through the permission set
    `ORG_FIELDS_PERMISSION_SET`; a field or object already granted stays as it is."""
    user = records.api_user_id
    if user is None:
        return
    existing = next((r for r in records.rows("PermissionSet") if r.get("Name") == ORG_FIELDS_PERMISSION_SET), None)
    set_id = existing["Id"] if existing else records.load("PermissionSet", [{
        "Name": ORG_FIELDS_PERMISSION_SET, "Label": "Sandbox org field access",
        "Description": "The org's custom fields, granted to the integration user by the org's admin",
        "IsOwnedByProfile": False}])[0]
    if not any(r.get("AssigneeId") == user and r.get("PermissionSetId") == set_id
               for r in records.rows("PermissionSetAssignment")):
        records.load("PermissionSetAssignment", [{"AssigneeId": user, "PermissionSetId": set_id}])
    granted = {str(r.get("Field")).lower() for r in records.rows("FieldPermissions") if r.get("ParentId") == set_id}
    records.load("FieldPermissions", [
        {"ParentId": set_id, "SobjectType": d.name, "Field": f"{d.name}.{f.name}", "PermissionsRead": True,
         "PermissionsEdit": f.createable or f.updateable}
        for d in list(records.objects.values()) for f in list(d.fields.values())
        if f.custom and _key(d.name, f.name) not in granted])
    grant_org_objects(records, set_id)
