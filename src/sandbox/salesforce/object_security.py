"""Object permissions: which custom objects the API user may read, create, edit, as permission sets decide.

On a real org a user works with records of a custom object only when a profile or permission set grants
object permissions (Setup > Object Settings; through the API an `ObjectPermissions` row):

    ObjectPermissions {ParentId: the PermissionSet, SobjectType: "Obj__c", PermissionsRead,
                       PermissionsCreate, PermissionsEdit, PermissionsDelete,
                       PermissionsViewAllRecords, PermissionsModifyAllRecords}   POST /sobjects/ObjectPermissions

The rules the object reference gives are enforced on every write of such a row: Create, Edit and View All
need Read; Delete needs Read and Edit; Modify All needs Read, Edit, Delete and View All (refused with
FIELD_INTEGRITY_EXCEPTION "Permission Create X depends on permission(s): Read X"); a row with no permission
at all is refused ("You must enable at least one permission."); one row per (ParentId, SobjectType)
(DUPLICATE_VALUE); SobjectType is a restricted picklist of the org's objects.

A user's object access is the union over the permission sets assigned to them. Only custom objects (names
ending `__c`) are governed, as the integration user's profile already covers the standard ones: without
Read the object does not exist for that user (describe, the object list, SOQL: INVALID_TYPE); a create
without Create, an update without Edit, fails that record with INSUFFICIENT_ACCESS_OR_READONLY (an upsert
needs Edit when its key matches, Create when it does not). Delete is not governed.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

from sandbox.salesforce.errors import RecordError
from sandbox.salesforce.metadata import SObjectDef
from sandbox.salesforce.permission_records import PermissionRecords
from sandbox.salesforce.record import Record

Operation = Literal["read", "create", "edit"]
# Permission field -> (its name in the platform's messages, the permission fields it depends on).
DEPENDENCIES: dict[str, tuple[str, tuple[str, ...]]] = {
    "PermissionsRead": ("Read", ()),
    "PermissionsCreate": ("Create", ("PermissionsRead",)),
    "PermissionsEdit": ("Edit", ("PermissionsRead",)),
    "PermissionsDelete": ("Delete", ("PermissionsRead", "PermissionsEdit")),
    "PermissionsViewAllRecords": ("Read All", ("PermissionsRead",)),
    "PermissionsModifyAllRecords": ("Modify All", ("PermissionsRead", "PermissionsEdit", "PermissionsDelete",
                                                   "PermissionsViewAllRecords")),
}
_OPERATION_FIELD: dict[Operation, str] = {
    "read": "PermissionsRead", "create": "PermissionsCreate", "edit": "PermissionsEdit"}


def governed(d: SObjectDef) -> bool:
    """Object permissions decide access to custom objects only (the profile covers the standard ones)."""
    return d.name.endswith("__c")


@dataclass(frozen=True)
class ObjectAccess:
    """Custom objects (lower-case names) one user may read / create / edit."""

    readable: frozenset[str]
    creatable: frozenset[str]
    editable: frozenset[str]

    def allows(self, d: SObjectDef, operation: Operation) -> bool:
        names = {"read": self.readable, "create": self.creatable, "edit": self.editable}[operation]
        return not governed(d) or d.name.lower() in names


def insufficient_access() -> RecordError:
    return RecordError("INSUFFICIENT_ACCESS_OR_READONLY", "insufficient access rights on object id", [])


def object_access(records: PermissionRecords, user_id: str | None) -> ObjectAccess:
    """The union of the ObjectPermissions of every permission set assigned to `user_id`."""
    sets = {r["PermissionSetId"] for r in records.rows("PermissionSetAssignment") if r.get("AssigneeId") == user_id}
    granted: dict[Operation, set[str]] = {"read": set(), "create": set(), "edit": set()}
    for grant in records.rows("ObjectPermissions"):
        if grant.get("ParentId") in sets and grant.get("SobjectType"):
            for operation, field in _OPERATION_FIELD.items():
                if grant.get(field):
                    granted[operation].add(str(grant["SobjectType"]).lower())
    return ObjectAccess(frozenset(granted["read"]), frozenset(granted["create"]), frozenset(granted["edit"]))


def check_object_permission(records: PermissionRecords, rec: Record) -> None:
    """Refuse an ObjectPermissions row a real org refuses (called on every API write of one)."""
    d = records.sobject(str(rec.get("SobjectType") or ""))
    if d is None:
        raise RecordError("INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
                          f"SObject Type Name: bad value for restricted picklist field: {rec.get('SobjectType')}",
                          ["SobjectType"])
    if not any(rec.get(field) for field in DEPENDENCIES):
        raise RecordError("FIELD_INTEGRITY_EXCEPTION", "You must enable at least one permission.", ["Permissions"])
    broken = list(_broken_dependencies(rec, d.name))
    if broken:
        raise RecordError("FIELD_INTEGRITY_EXCEPTION", "; ".join(message for _, message in broken),
                          [field for field, _ in broken])
    for other in records.rows("ObjectPermissions"):
        if other["Id"] != rec["Id"] and other.get("ParentId") == rec.get("ParentId") and \
                str(other.get("SobjectType")).lower() == d.name.lower():
            raise RecordError("DUPLICATE_VALUE", "duplicate value found: <unknown> duplicates value on record "
                                                 f"with id: {other['Id']}", [])
    rec["SobjectType"] = d.name


def _broken_dependencies(rec: Record, sobject: str) -> Iterator[tuple[str, str]]:
    for field, (label, needs) in DEPENDENCIES.items():
        missing = [DEPENDENCIES[n][0] for n in needs if not rec.get(n)]
        if rec.get(field) and missing:
            yield field, (f"Permission {label} {sobject} depends on permission(s): "
                          + ", ".join(f"{m} {sobject}" for m in missing))


def grant_org_objects(records: PermissionRecords, set_id: str) -> None:
    """Grant every permission on each custom object the org has now to permission set `set_id` (the org's
    admin did that before the connector came); an object the set already has a row for stays as it is."""
    granted = {str(r.get("SobjectType")).lower() for r in records.rows("ObjectPermissions")
               if r.get("ParentId") == set_id}
    records.load("ObjectPermissions", [
        {"ParentId": set_id, "SobjectType": d.name} | {field: True for field in DEPENDENCIES}
        for d in list(records.objects.values()) if governed(d) and d.name.lower() not in granted])
