"""Install: what crm-kpi needs in an org, what already exists, and creating the rest — idempotently.

Through the Tooling API: the custom object `KPI_Snapshot__c` with the fields and external-id key of
DESIGN.md ("Write-back targets"), the `CRMKPI_<kpi>__c` number fields on Opportunity, Account and (when
`user_fields` is on) User. Through the REST API: the permission set `CRM_KPI_Integration` granting read and
edit on every one of those fields, assigned to the integration user (new fields are invisible to everyone
until field-level security grants them), and `CRM_KPI_Read` granting read, for the admin to assign to reps.
Object permissions (an `ObjectPermissions` row per permission set, Setup's "Object Settings") on
`KPI_Snapshot__c`: Read, Create and Edit in `CRM_KPI_Integration` (the writer upserts snapshots), Read in
`CRM_KPI_Read`; without them nobody may see or write a record of the new object, whatever its fields allow.
`plan` only reads; `apply` creates what the plan lacks, in dependency order; a second install creates nothing.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from connectors.base import InstallItem, InstallPlan, InstallSpec
from connectors.config import InstanceConfig
from connectors.salesforce.client import SalesforceClient
from connectors.salesforce.writer import (
    FIELD_OBJECTS,
    PERMISSION_SET,
    SNAPSHOT_OBJECT,
    kpi_field,
)

READ_PERMISSION_SET = "CRM_KPI_Read"
# The object permissions install grants on KPI_Snapshot__c (Read in both sets; Create and Edit in the
# integration set: the writer upserts).
OBJECT_PERMISSIONS = ("PermissionsRead", "PermissionsCreate", "PermissionsEdit")
_NUMBER = {"type": "Number", "precision": 18, "scale": 6}
_TEXT = {"type": "Text", "length": 255}
SNAPSHOT_FIELDS: dict[str, dict[str, Any]] = {
    "Key__c": {**_TEXT, "label": "Key", "externalId": True, "unique": True},
    "KPI__c": {**_TEXT, "label": "KPI"},
    "Scope__c": {**_TEXT, "label": "Scope"},
    "Scope_Id__c": {**_TEXT, "label": "Scope Id"},
    "Grain__c": {**_TEXT, "label": "Grain"},
    "Unit__c": {**_TEXT, "label": "Unit"},
    "Instance__c": {**_TEXT, "label": "Instance"},
    "Period_Start__c": {"type": "Date", "label": "Period Start"},
    "Period_End__c": {"type": "Date", "label": "Period End"},
    "Value__c": {**_NUMBER, "label": "Value"},
    "Numerator__c": {**_NUMBER, "label": "Numerator"},
    "Denominator__c": {**_NUMBER, "label": "Denominator"},
    "Computed_At__c": {"type": "DateTime", "label": "Computed At"},
    "User__c": {
        "type": "Lookup",
        "referenceTo": "User",
        "label": "Rep",
        "relationshipName": "KPI_Snapshots",
        "deleteConstraint": "SetNull",
    },
    "Account__c": {
        "type": "Lookup",
        "referenceTo": "Account",
        "label": "Account",
        "relationshipName": "KPI_Snapshots",
        "deleteConstraint": "SetNull",
    },
    "Opportunity__c": {
        "type": "Lookup",
        "referenceTo": "Opportunity",
        "label": "Opportunity",
        "relationshipName": "KPI_Snapshots",
        "deleteConstraint": "SetNull",
    },
}
SNAPSHOT_OBJECT_METADATA = {
    "label": "KPI Snapshot",
    "pluralLabel": "KPI Snapshots",
    "deploymentStatus": "Deployed",
    "sharingModel": "ReadWrite",
    "nameField": {"type": "AutoNumber", "label": "Snapshot", "displayFormat": "KPI-{0000000}"},
}


def wanted_fields(instance: InstanceConfig, spec: InstallSpec) -> list[tuple[str, dict[str, Any]]]:
    """(`Object.Field__c`, metadata) of every field install owns, objects in a fixed order."""
    fields = (
        [(f"{SNAPSHOT_OBJECT}.{name}", meta) for name, meta in SNAPSHOT_FIELDS.items()]
        if spec.snapshots
        else []
    )
    for target, sobject in FIELD_OBJECTS.items():
        if target == "user" and not instance.user_fields:
            continue
        for kpi in spec.fields.get(target, ()):  # type: ignore[call-overload]
            label = ("KPI " + kpi.replace("_", " "))[:40]
            fields.append((f"{sobject}.{kpi_field(kpi)}", {**_NUMBER, "label": label}))
    return fields


def _quoted(values: list[str]) -> str:
    return ", ".join("'" + v.replace("'", "\\'") + "'" for v in values)


def _existing_fields(client: SalesforceClient, fields: list[str]) -> set[str]:
    """`Object.Field__c` names that exist (Tooling API: describe hides fields the user cannot read)."""
    if not fields:
        return set()
    objects = {
        r["Id"]: r["DeveloperName"] + "__c"
        for r in client.tooling_query(
            f"SELECT Id, DeveloperName FROM CustomObject WHERE DeveloperName = '{SNAPSHOT_OBJECT[:-3]}'"
        )
    }
    names = sorted({f.split(".")[1][:-3] for f in fields})
    found = set()
    for row in client.tooling_query(
        f"SELECT DeveloperName, TableEnumOrId FROM CustomField WHERE DeveloperName IN ({_quoted(names)})"
    ):
        table = objects.get(row["TableEnumOrId"], row["TableEnumOrId"])
        found.add(f"{table}.{row['DeveloperName']}__c".lower())
    return {f for f in fields if f.lower() in found}


def _object_exists(client: SalesforceClient) -> bool:
    """Whether `KPI_Snapshot__c` exists (Tooling API: the object list leaves out objects the user may not
    read, as it does before install has granted object permissions)."""
    query = f"SELECT Id FROM CustomObject WHERE DeveloperName = '{SNAPSHOT_OBJECT[:-3]}'"
    return bool(list(client.tooling_query(query)))


def _object_grant(client: SalesforceClient, set_id: str | None) -> dict[str, Any] | None:
    """The ObjectPermissions row of permission set `set_id` on `KPI_Snapshot__c`, if there is one."""
    if set_id is None:
        return None
    rows = list(
        client.query_rows(
            f"SELECT Id, {', '.join(OBJECT_PERMISSIONS)} FROM ObjectPermissions "
            f"WHERE ParentId = '{set_id}' AND SobjectType = '{SNAPSHOT_OBJECT}'"
        )
    )
    return rows[0] if rows else None


def _wanted_object_permissions(set_name: str) -> dict[str, bool]:
    """The object permissions permission set `set_name` needs on `KPI_Snapshot__c`."""
    return {flag: set_name == PERMISSION_SET or flag == "PermissionsRead" for flag in OBJECT_PERMISSIONS}


def _object_permission_item(client: SalesforceClient, set_name: str, set_id: str | None) -> InstallItem:
    wanted = _wanted_object_permissions(set_name)
    row = _object_grant(client, set_id)
    ok = row is not None and all(row.get(flag) for flag, on in wanted.items() if on)
    note = ", ".join(flag.removeprefix("Permissions") for flag, on in wanted.items() if on) + (
        " (the grant exists: updated)" if row is not None and not ok else ""
    )
    return InstallItem("object_permission", f"{set_name}:{SNAPSHOT_OBJECT}", ok, note)


def _permission_set_id(client: SalesforceClient, name: str) -> str | None:
    rows = list(client.query_rows(f"SELECT Id FROM PermissionSet WHERE Name = '{name}'"))
    return rows[0]["Id"] if rows else None


def _granted(client: SalesforceClient, set_id: str | None) -> dict[str, tuple[str, bool, bool]]:
    """Field (lower case) -> (FieldPermissions id, read, edit) of permission set `set_id`."""
    if set_id is None:
        return {}
    return {
        r["Field"].lower(): (r["Id"], bool(r.get("PermissionsRead")), bool(r.get("PermissionsEdit")))
        for r in client.query_rows(
            "SELECT Id, Field, PermissionsRead, PermissionsEdit FROM FieldPermissions "
            f"WHERE ParentId = '{set_id}'"
        )
    }


def plan(client: SalesforceClient, instance: InstanceConfig, spec: InstallSpec) -> InstallPlan:
    """What install would create and what already exists (reads only)."""
    fields = wanted_fields(instance, spec)
    names = [name for name, _ in fields]
    items: list[InstallItem] = []
    warnings: list[str] = []
    if spec.snapshots:
        exists = _object_exists(client)
        items.append(InstallItem("object", SNAPSHOT_OBJECT, exists, "KPI snapshots, upserted by Key__c"))
    existing = _existing_fields(client, names)
    for name in names:
        note = (
            "needs 'Manage Users' for the integration user to write it" if name.startswith("User.") else None
        )
        items.append(InstallItem("field", name, name in existing, note))
    for set_name, edit in ((PERMISSION_SET, True), (READ_PERMISSION_SET, False)):
        set_id = _permission_set_id(client, set_name)
        note = "assigned to the integration user" if edit else "assign it to reps and managers"
        items.append(InstallItem("permission_set", set_name, set_id is not None, note))
        if spec.snapshots:
            items.append(_object_permission_item(client, set_name, set_id))
        granted = _granted(client, set_id)
        for name in names:
            _, can_read, can_edit = granted.get(name.lower(), ("", False, False))
            ok = can_read and (can_edit or not edit)
            note = ("read and edit" if edit else "read") + (
                " (the grant exists: updated)" if name.lower() in granted and not ok else ""
            )
            items.append(InstallItem("field_permission", f"{set_name}:{name}", ok, note))
    set_id = _permission_set_id(client, PERMISSION_SET)
    user_id = client.user_id
    assigned = bool(set_id) and bool(
        list(
            client.query_rows(
                "SELECT Id FROM PermissionSetAssignment "
                f"WHERE PermissionSetId = '{set_id}' AND AssigneeId = '{user_id}'"
            )
        )
    )
    items.append(InstallItem("assignment", f"{PERMISSION_SET}:{user_id}", assigned, "the integration user"))
    if instance.user_fields:
        warnings.append(
            "KPI fields on User: the integration user needs the 'Manage Users' permission to write them"
        )
    return InstallPlan(instance=instance.name, items=items, warnings=warnings)


def _create_sobject(client: SalesforceClient, sobject: str, values: dict[str, Any]) -> str:
    body = client.send("sobject", "POST", f"sobjects/{sobject}/", json=values)
    return str(body["id"])


def _grant_object(client: SalesforceClient, set_id: str, set_name: str) -> None:
    """Give permission set `set_id` the object permissions it needs on KPI_Snapshot__c: update its row
    when it has one (one row per set and object), create it otherwise."""
    grant = {flag: True for flag, on in _wanted_object_permissions(set_name).items() if on}
    row = _object_grant(client, set_id)
    if row is not None:
        client.send("record", "PATCH", f"sobjects/ObjectPermissions/{row['Id']}", json=grant)
    else:
        _create_sobject(
            client, "ObjectPermissions", {"ParentId": set_id, "SobjectType": SNAPSHOT_OBJECT} | grant
        )


def apply(client: SalesforceClient, instance: InstanceConfig, current: InstallPlan) -> InstallPlan:
    """Create what `current` lacks, in order: object, fields, permission sets, object and field grants,
    assignment."""
    metadata = dict(wanted_fields(instance, InstallSpec(fields={}, snapshots=True)))
    set_ids: dict[str, str] = {}
    for item in current.to_create:
        if item.kind == "object":
            client.send(
                "tooling",
                "POST",
                "tooling/sobjects/CustomObject/",
                json={"FullName": item.name, "Metadata": SNAPSHOT_OBJECT_METADATA},
            )
        elif item.kind == "field":
            meta = metadata.get(item.name) or {
                **_NUMBER,
                "label": ("KPI " + item.name.split(".")[1][7:-3].replace("_", " "))[:40],
            }
            client.send(
                "tooling",
                "POST",
                "tooling/sobjects/CustomField/",
                json={"FullName": item.name, "Metadata": meta},
            )
        elif item.kind == "permission_set":
            label = "CRM KPI Integration" if item.name == PERMISSION_SET else "CRM KPI Read"
            set_ids[item.name] = _create_sobject(client, "PermissionSet", {"Name": item.name, "Label": label})
        elif item.kind == "object_permission":
            set_name = item.name.partition(":")[0]
            set_ids[set_name] = set_ids.get(set_name) or str(_permission_set_id(client, set_name))
            _grant_object(client, set_ids[set_name], set_name)
        elif item.kind == "field_permission":
            set_name, _, field = item.name.partition(":")
            set_id = set_ids.get(set_name) or _permission_set_id(client, set_name)
            set_ids[set_name] = str(set_id)
            grant = {"PermissionsRead": True, "PermissionsEdit": set_name == PERMISSION_SET}
            existing = _granted(client, set_id).get(field.lower()) if "updated" in (item.note or "") else None
            if existing:
                client.send("record", "PATCH", f"sobjects/FieldPermissions/{existing[0]}", json=grant)
            else:
                _create_sobject(
                    client,
                    "FieldPermissions",
                    {"ParentId": set_id, "SobjectType": field.split(".")[0], "Field": field} | grant,
                )
        elif item.kind == "assignment":
            set_id = set_ids.get(PERMISSION_SET) or _permission_set_id(client, PERMISSION_SET)
            _create_sobject(
                client,
                "PermissionSetAssignment",
                {"PermissionSetId": set_id, "AssigneeId": item.name.partition(":")[2]},
            )
    client.forget_metadata()
    return replace(current, items=[replace(item, exists=True) for item in current.items])
