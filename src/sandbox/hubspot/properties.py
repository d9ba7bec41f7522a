"""Property definitions: the schema HubSpot keeps per object type and serves at /crm/v3/properties.

Every stored value is a string, as on the wire; the definition's `type` decides how a value is
validated on write and compared in search (numbers numerically, datetimes by instant).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime

# HubSpot's property types and the field types the UI pairs with them.
PROPERTY_TYPES = ("string", "number", "date", "datetime", "enumeration", "bool", "phone_number")


@dataclass
class PropertyDef:
    """One property of one object type, as /crm/v3/properties/{type} describes it."""

    name: str
    label: str
    type: str = "string"
    field_type: str = "text"
    group_name: str = "dealinformation"
    description: str = ""
    options: list[dict] = field(default_factory=list)
    has_unique_value: bool = False
    calculated: bool = False
    read_only: bool = False  # modificationMetadata.readOnlyValue
    hubspot_defined: bool = True
    display_order: int = -1
    created_at: datetime = field(default_factory=lambda: datetime(2019, 8, 6, tzinfo=UTC))
    updated_at: datetime = field(default_factory=lambda: datetime(2019, 8, 6, tzinfo=UTC))
    archived: bool = False

    def to_api(self) -> dict:
        """The JSON body of this property, with every field the strict client requires."""
        body = {
            "updatedAt": iso_millis(self.updated_at),
            "createdAt": iso_millis(self.created_at),
            "name": self.name,
            "label": self.label,
            "type": self.type,
            "fieldType": self.field_type,
            "description": self.description,
            "groupName": self.group_name,
            "options": [
                {"label": o["label"], "value": o["value"], "displayOrder": o.get("displayOrder", i),
                 "hidden": bool(o.get("hidden", False)), **({"description": o["description"]} if o.get("description") else {})}
                for i, o in enumerate(self.options)
            ],
            "displayOrder": self.display_order,
            "calculated": self.calculated,
            "externalOptions": False,
            "hasUniqueValue": self.has_unique_value,
            "hidden": False,
            "hubspotDefined": self.hubspot_defined,
            "modificationMetadata": {
                "archivable": not self.hubspot_defined,
                "readOnlyDefinition": self.hubspot_defined,
                "readOnlyValue": self.read_only or self.calculated,
            },
            "formField": not (self.read_only or self.calculated),
            "archived": self.archived,
        }
        return body

    @property
    def writable(self) -> bool:
        return not (self.read_only or self.calculated)


def iso_millis(moment: datetime) -> str:
    """HubSpot's timestamp format: UTC, milliseconds, `Z`."""
    if moment.tzinfo is not UTC:
        moment = moment.astimezone(UTC)
    return moment.replace(tzinfo=None).isoformat(timespec="milliseconds") + "Z"


def parse_instant(text: str) -> datetime | None:
    """A datetime property value or filter value: epoch milliseconds or ISO 8601 (date or datetime)."""
    text = text.strip()
    if not text:
        return None
    if text.lstrip("-").isdigit():
        return datetime.fromtimestamp(int(text) / 1000, tz=UTC)
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            return datetime(day.year, day.month, day.day, tzinfo=UTC)
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def check_value(prop: PropertyDef, value: str) -> tuple[str, str] | None:
    """Validate a written value; returns (error code, message) as HubSpot words them, or None."""
    if value == "":
        return None  # an empty string clears a property
    if prop.type == "number":
        try:
            float(value)
        except ValueError:
            return "INVALID_NUMBER", f"{value} was not a valid number."
    elif prop.type in ("datetime", "date"):
        moment = parse_instant(value)
        if moment is None:
            return "INVALID_DATE", f"{value} was not a valid date."
        if prop.type == "date" and (moment.hour, moment.minute, moment.second, moment.microsecond) != (0, 0, 0, 0):
            stamp = moment.strftime("%H:%M:%S.") + f"{moment.microsecond // 1000:03d}"
            return "INVALID_DATE", f"{value} is at {stamp} UTC, not midnight!"
    elif prop.type == "bool":
        if value.lower() not in ("true", "false"):
            return "INVALID_BOOLEAN", f"{value} was not a valid boolean."
    elif prop.type == "enumeration" and prop.options:
        allowed = {o["value"] for o in prop.options}
        chosen = value.split(";") if prop.field_type == "checkbox" else [value]
        bad = [v for v in chosen if v not in allowed]
        if bad:
            return "INVALID_OPTION", (
                f"{bad[0]} was not one of the allowed options: "
                + ", ".join(f"[label: {o['label']!r}\nvalue: {o['value']!r}\n...]" for o in prop.options[:3])
            )
    return None


def normalise_value(prop: PropertyDef, value: str) -> str:
    """Store values the way HubSpot echoes them back (datetimes as ISO with milliseconds)."""
    if value == "" or prop.type not in ("datetime", "date"):
        return value
    moment = parse_instant(value)
    if moment is None:
        return value
    return moment.date().isoformat() if prop.type == "date" else iso_millis(moment)


def options(*pairs: str) -> list[dict]:
    """Enumeration options from values, labels derived (value: label for compact tables)."""
    return [{"label": p.replace("_", " ").title(), "value": p, "displayOrder": i} for i, p in enumerate(pairs)]
