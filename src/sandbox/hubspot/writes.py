"""Writing one record through the API: validation errors and injected record faults as HubSpot words them.

Single-object endpoints raise the error; batch endpoints collect it as one entry of a 207.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sandbox.hubspot.associations import TYPE_IDS
from sandbox.hubspot.catalog import ObjectTypeDef
from sandbox.hubspot.errors import ApiError, invalid_property_values, validation
from sandbox.hubspot.portal import Portal
from sandbox.hubspot.record import Record
from sandbox.hubspot.store import UniqueConflict, WriteRejected

# The runtime's record-fault hook: returns a fault (`.kind` "lock" or "reject") or None.
RecordFaultHook = Callable[[str], Any]


@dataclass
class Writer:
    portal: Portal
    record_fault: RecordFaultHook = lambda record_id: None

    def _fault(self, key: str) -> None:
        fault = self.record_fault(key)
        if fault is None:
            return
        if fault.kind == "lock":
            # HubSpot has no row locks; concurrent writes to one record answer 409 CONFLICT.
            raise ApiError(409, "CONFLICT", f"Object {key} was modified by a concurrent request. Retry the update.",
                           context={"id": [key]})
        raise validation(f"Object {key} was rejected by a validation rule in this portal.",
                         context={"id": [key]})

    def create(self, type_def: ObjectTypeDef, properties: dict, associations: list | None = None,
               fault_key: str | None = None) -> Record:
        self._fault(fault_key or "new")
        self._check_associations(type_def, associations or [])
        try:
            record = self.portal.store.create(type_def.name, properties or {})
        except WriteRejected as exc:
            raise rejected(exc, self.portal.portal_id) from None
        except UniqueConflict as exc:
            raise conflict(type_def, exc) from None
        for spec in associations or []:
            to_id = str(spec["to"]["id"])
            for t in spec.get("types") or []:
                self._associate(type_def.name, record.id, int(t["associationTypeId"]), to_id)
        return record

    def update(self, type_def: ObjectTypeDef, record_id: str, properties: dict) -> Record:
        self._fault(record_id)
        try:
            return self.portal.store.update(type_def.name, record_id, properties or {})
        except WriteRejected as exc:
            raise rejected(exc, self.portal.portal_id) from None
        except UniqueConflict as exc:
            raise conflict(type_def, exc) from None

    def _check_associations(self, type_def: ObjectTypeDef, associations: list) -> None:
        for spec in associations:
            to_id = str((spec.get("to") or {}).get("id", ""))
            for t in spec.get("types") or []:
                target = self._target_type(type_def.name, int(t.get("associationTypeId", -1)))
                if target is None or self.portal.store.get(target, to_id) is None:
                    raise validation("One or more associations are invalid",
                                     context={"ids": [to_id]})

    def _target_type(self, from_type: str, type_id: int) -> str | None:
        for (a, b), ids in TYPE_IDS.items():
            if a == from_type and type_id in ids:
                return b
        return None

    def _associate(self, from_type: str, from_id: str, type_id: int, to_id: str) -> None:
        target = self._target_type(from_type, type_id)
        if target:
            primary = TYPE_IDS[(from_type, target)][1] == type_id
            self.portal.associations.add(from_type, from_id, target, to_id, primary=primary)


def conflict(type_def: ObjectTypeDef, exc: UniqueConflict) -> ApiError:
    """A second record with a unique value: HubSpot's 409 ("Contact already exists. Existing ID: 51")."""
    noun = type_def.singular.capitalize()
    if type_def.name == "contacts" and exc.prop == "email":
        message = f"{noun} already exists. Existing ID: {exc.existing_id}"
    else:
        message = (f"{noun} with {exc.prop} {exc.value!r} already exists. Existing ID: {exc.existing_id}")
    return ApiError(409, "CONFLICT", message, context={"id": [exc.existing_id]})


def rejected(exc: WriteRejected, portal_id: int) -> ApiError:
    """400 "Property values were not valid", with one ErrorDetail per property for batch entries."""
    return validation(invalid_property_values(exc.errors, portal_id),
                      errors=[{"message": e.message, "code": e.code, "context": {"propertyName": [e.name]}}
                              for e in exc.errors])
