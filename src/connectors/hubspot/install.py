"""Install: the `crm_kpi` property group and `crmkpi_*` properties on deals and companies, and the
`kpi_snapshot` custom object with its unique `kpi_key`.

`plan` only reads (groups, properties, schemas: five calls) and says what exists and what would be
created — that is `crm-kpi install --dry-run`. `apply` creates what the plan lacks; a 409 ("already
exists", a concurrent install) counts as done, so running it twice changes nothing. A portal without
custom objects (below Enterprise) answers the schemas endpoint with 403: the plan then carries one plain
warning instead of the snapshot object, and install and sync go on with the properties.
"""

from __future__ import annotations

from dataclasses import replace

from hubspot.crm.properties import PropertyCreate, PropertyGroupCreate
from hubspot.crm.schemas import ObjectSchemaEgg, ObjectTypeDefinitionLabels, ObjectTypePropertyCreate

from connectors.base import InstallItem, InstallPlan, InstallSpec
from connectors.errors import RequestRejected
from connectors.hubspot.client import HubSpotClient
from connectors.hubspot.writer import FIELD_OBJECTS, SNAPSHOT_KEY, field_name

GROUP = "crm_kpi"
GROUP_LABEL = "CRM KPI"
SNAPSHOT_OBJECT = "kpi_snapshot"
# name → (type, fieldType, label)
SNAPSHOT_PROPERTIES: dict[str, tuple[str, str, str]] = {
    SNAPSHOT_KEY: ("string", "text", "KPI key"),
    "kpi": ("string", "text", "KPI"),
    "scope": ("string", "text", "Scope"),
    "scope_id": ("string", "text", "Scope id"),
    "grain": ("string", "text", "Grain"),
    "unit": ("string", "text", "Unit"),
    "instance": ("string", "text", "Instance"),
    "period_start": ("date", "date", "Period start"),
    "period_end": ("date", "date", "Period end"),
    "value": ("number", "number", "Value"),
    "numerator": ("number", "number", "Numerator"),
    "denominator": ("number", "number", "Denominator"),
    "computed_at": ("datetime", "date", "Computed at"),
}
NO_CUSTOM_OBJECTS = (
    "this portal has no custom objects (they need an Enterprise subscription and the crm.schemas.custom.* "
    "scopes), so the kpi_snapshot object cannot be created and KPI snapshots (per-rep and per-period "
    "values) will not be written; the crmkpi_* properties on deals and companies will be"
)
USERS_HAVE_NO_PROPERTIES = (
    "HubSpot's users object takes no custom properties: per-rep KPI values are written as kpi_snapshot "
    "records owned by the rep (hubspot_owner_id), not as user fields"
)


def custom_objects_available(client: HubSpotClient) -> bool:
    """False when the portal refuses custom object schemas (403: not Enterprise, or no schema scopes)."""
    try:
        client.read_json("schemas", "list custom object schemas", client.api("crm.schemas.core_api").get_all)
    except RequestRejected as exc:
        if exc.status == 403:
            return False
        raise
    return True


def snapshot_object_type(client: HubSpotClient) -> str | None:
    """The objectTypeId of kpi_snapshot (`2-...`), or None when it does not exist or cannot (no custom
    objects in this portal)."""
    try:
        schemas = client.read_json(
            "schemas", "list custom object schemas", client.api("crm.schemas.core_api").get_all
        )
    except RequestRejected as exc:
        if exc.status == 403:
            return None
        raise
    for schema in schemas.get("results") or []:
        if schema.get("name") == SNAPSHOT_OBJECT:
            return str(schema.get("objectTypeId"))
    return None


def plan(client: HubSpotClient, instance: str, spec: InstallSpec) -> InstallPlan:
    items: list[InstallItem] = []
    warnings: list[str] = []
    for object_name, object_type in FIELD_OBJECTS.items():
        kpis = spec.fields.get(object_name) or ()
        if not kpis:
            continue
        groups = client.read_json(
            "properties",
            f"list {object_type} property groups",
            client.api("crm.properties.groups_api").get_all,
            object_type,
        )
        existing_groups = {g.get("name") for g in groups.get("results") or []}
        items.append(InstallItem("property_group", f"{object_type}.{GROUP}", GROUP in existing_groups))
        found = client.read_json(
            "properties",
            f"list {object_type} properties",
            client.api("crm.properties.core_api").get_all,
            object_type,
        )
        names = {p.get("name") for p in found.get("results") or [] if not p.get("archived")}
        items += [
            InstallItem("property", f"{object_type}.{field_name(kpi)}", field_name(kpi) in names)
            for kpi in kpis
        ]
    if spec.fields.get("user"):
        warnings.append(USERS_HAVE_NO_PROPERTIES)
    if spec.snapshots:
        try:
            schemas = client.read_json(
                "schemas", "list custom object schemas", client.api("crm.schemas.core_api").get_all
            )
        except RequestRejected as exc:
            if exc.status != 403:
                raise
            warnings.append(NO_CUSTOM_OBJECTS)
        else:
            exists = any(s.get("name") == SNAPSHOT_OBJECT for s in schemas.get("results") or [])
            items.append(
                InstallItem(
                    "object",
                    SNAPSHOT_OBJECT,
                    exists,
                    note=f"unique {SNAPSHOT_KEY}; {len(SNAPSHOT_PROPERTIES)} properties",
                )
            )
    return InstallPlan(instance, items, tuple(warnings))


def apply(client: HubSpotClient, install_plan: InstallPlan) -> InstallPlan:
    done = []
    for item in install_plan.items:
        if not item.exists:
            _create(client, item)
        done.append(replace(item, exists=True))
    return replace(install_plan, items=done)


def _create(client: HubSpotClient, item: InstallItem) -> None:
    try:
        if item.kind == "property_group":
            object_type = item.name.split(".", 1)[0]
            client.typed(
                "properties",
                f"create property group {item.name}",
                client.api("crm.properties.groups_api"),
                "create",
                object_type,
                PropertyGroupCreate(name=GROUP, label=GROUP_LABEL, display_order=-1),
            )
        elif item.kind == "property":
            object_type, name = item.name.split(".", 1)
            kpi = name.removeprefix("crmkpi_")
            client.typed(
                "properties",
                f"create property {item.name}",
                client.api("crm.properties.core_api"),
                "create",
                object_type,
                PropertyCreate(
                    name=name,
                    label=f"KPI: {kpi.replace('_', ' ')}",
                    type="number",
                    field_type="number",
                    group_name=GROUP,
                    description=f"crm-kpi: the current value of {kpi}",
                ),
            )
        elif item.kind == "object":
            client.typed(
                "schemas",
                "create the kpi_snapshot object",
                client.api("crm.schemas.core_api"),
                "create",
                _snapshot_schema(),
            )
    except RequestRejected as exc:
        if exc.status != 409:
            raise


def _snapshot_schema() -> ObjectSchemaEgg:
    return ObjectSchemaEgg(
        name=SNAPSHOT_OBJECT,
        labels=ObjectTypeDefinitionLabels(singular="KPI snapshot", plural="KPI snapshots"),
        primary_display_property=SNAPSHOT_KEY,
        required_properties=[SNAPSHOT_KEY],
        searchable_properties=[SNAPSHOT_KEY, "kpi", "scope_id"],
        secondary_display_properties=["kpi", "value"],
        associated_objects=["COMPANY", "DEAL"],
        properties=[
            ObjectTypePropertyCreate(
                name=name,
                label=label,
                type=type_,
                field_type=field_type,
                has_unique_value=name == SNAPSHOT_KEY,
            )
            for name, (type_, field_type, label) in SNAPSHOT_PROPERTIES.items()
        ],
    )
