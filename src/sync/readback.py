"""Prove a write-back: read the written targets from the CRM and compare them with the ledger.

The ledger holds only what the CRM accepted, so after a run every `ok` entry must be found in the CRM with
its values (within the write-back's relative tolerance). This is the demo's proof and an admin's check
after an install; it reads every target, so it costs one full read of the snapshot object and of each
field object.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from connectors.base import Connector, FieldObject
from sync.settings import Settings
from sync.store.store import Store


@dataclass
class Readback:
    instance: str
    snapshots: int = 0
    fields: int = 0
    mismatches: list[str] = field(default_factory=list)

    @property
    def checked(self) -> int:
        return self.snapshots + self.fields


def _same(a: float | None, b: float | None, rel_tol: float) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(a, b, rel_tol=rel_tol, abs_tol=1e-9)


def verify_written(instance: str, connector: Connector, store: Store, settings: Settings) -> Readback:
    """Compare every `ok` ledger entry of `instance` with what the CRM holds now."""
    tol = max(settings.writeback.relative_tolerance, 1e-9)
    ledger = {key: entry for key, entry in store.ledger(instance).items() if entry.status == "ok"}
    result = Readback(instance)
    in_crm = {value.key: value.values for value in connector.read_snapshots(None)}
    objects: dict[FieldObject, set[str]] = {}
    for entry in ledger.values():
        if entry.kind == "field" and entry.written:
            object_name = entry.key.split(":", 1)[0]
            objects.setdefault(object_name, set()).update(entry.written)  # type: ignore[arg-type]
    for object_name, kpis in objects.items():
        for value in connector.read_fields(object_name, sorted(kpis), None):
            in_crm[value.key] = value.values
    for key, entry in ledger.items():
        held = in_crm.get(key)
        if held is None:
            result.mismatches.append(f"{key}: written but not found in the CRM")
            continue
        for name, written in (entry.written or {}).items():
            if not _same(written, held.get(name), tol):
                result.mismatches.append(
                    f"{key} {name}: the CRM holds {held.get(name)!r}, we wrote {written!r}"
                )
        if entry.kind == "snapshot":
            result.snapshots += 1
        else:
            result.fields += 1
    return result
