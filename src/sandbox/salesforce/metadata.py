"""Describe metadata: field and sObject definitions, and their `describe` JSON as the REST API returns it.

The store validates every write against these definitions, so a field created through the Tooling API is
immediately queryable and writable: it is one more `FieldDef` on the object.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# SOAP types as describe reports them, per field type.
_SOAP_TYPE = {
    "id": "tns:ID", "reference": "tns:ID", "string": "xsd:string", "picklist": "xsd:string",
    "email": "xsd:string", "textarea": "xsd:string", "phone": "xsd:string", "url": "xsd:string",
    "boolean": "xsd:boolean", "int": "xsd:int", "double": "xsd:double", "currency": "xsd:double",
    "percent": "xsd:double", "date": "xsd:date", "datetime": "xsd:dateTime",
}


@dataclass
class FieldDef:
    """One field of an sObject, with the describe attributes the connectors read."""

    name: str
    type: str
    label: str = ""
    createable: bool = True
    updateable: bool = True
    nillable: bool = True
    custom: bool = False
    external_id: bool = False
    unique: bool = False
    reference_to: tuple[str, ...] = ()
    relationship_name: str | None = None
    picklist: tuple[str, ...] = ()
    restricted_picklist: bool = False
    defaulted_on_create: bool = False
    length: int = 0
    precision: int = 0
    scale: int = 0

    def __post_init__(self) -> None:
        if not self.label:
            self.label = self.name.removesuffix("__c").removesuffix("Id").replace("_", " ") or self.name
        if self.type in ("string", "textarea", "email", "picklist") and not self.length:
            self.length = 255

    def describe(self) -> dict[str, Any]:
        """The field as it appears in `fields[]` of an sObject describe."""
        return {
            "name": self.name, "type": self.type, "label": self.label, "soapType": _SOAP_TYPE[self.type],
            "length": self.length, "precision": self.precision, "scale": self.scale,
            "createable": self.createable, "updateable": self.updateable, "nillable": self.nillable,
            "custom": self.custom, "externalId": self.external_id, "unique": self.unique,
            "idLookup": self.name == "Id" or self.external_id, "filterable": True,
            "sortable": self.type != "textarea", "defaultedOnCreate": self.defaulted_on_create,
            "calculated": False, "referenceTo": list(self.reference_to),
            "relationshipName": self.relationship_name,
            "restrictedPicklist": self.restricted_picklist,
            "picklistValues": [
                {"active": True, "defaultValue": False, "label": v, "validFor": None, "value": v}
                for v in self.picklist
            ],
        }


@dataclass
class SObjectDef:
    """An sObject type: its key prefix (first 3 characters of its ids) and fields by name."""

    name: str
    key_prefix: str
    label: str = ""
    custom: bool = False
    fields: dict[str, FieldDef] = field(default_factory=dict)
    # archivable activities: IsArchived rows are visible to queryAll only
    archivable: bool = False
    # OpportunityHistory and the like: written by the platform, never by a client
    createable: bool = True

    def __post_init__(self) -> None:
        self.label = self.label or self.name.removesuffix("__c").replace("_", " ")
        self._by_lower: dict[str, FieldDef] = {}
        self._relationships: dict[str, FieldDef] = {}
        for f in list(self.fields.values()):
            self.add_field(f)

    def add_field(self, f: FieldDef) -> None:
        self.fields[f.name] = f
        self._by_lower[f.name.lower()] = f
        if f.relationship_name:
            self._relationships[f.relationship_name.lower()] = f

    def field(self, name: str) -> FieldDef | None:
        """SOQL and the REST API match field names case-insensitively."""
        return self._by_lower.get(name.lower())

    def relationship(self, name: str) -> FieldDef | None:
        return self._relationships.get(name.lower())

    def url(self, version: str) -> str:
        return f"/services/data/v{version}/sobjects/{self.name}"

    def summary(self, version: str) -> dict[str, Any]:
        """The entry for this object in `GET /sobjects`."""
        base = self.url(version)
        return {
            "name": self.name, "label": self.label, "labelPlural": self.label + "s", "keyPrefix": self.key_prefix,
            "custom": self.custom, "queryable": True, "retrieveable": True, "searchable": True,
            "createable": self.createable, "updateable": self.createable, "deletable": self.createable,
            "layoutable": True, "replicateable": True, "triggerable": True,
            "urls": {"sobject": base, "describe": base + "/describe", "rowTemplate": base + "/{ID}"},
        }

    def describe(self, version: str) -> dict[str, Any]:
        body = self.summary(version)
        body["fields"] = [f.describe() for f in self.fields.values()]
        body["childRelationships"] = []
        body["recordTypeInfos"] = []
        return body
