"""A HubSpot portal: its object types, records, pipelines, owners and associations.

This is the store the runtime hands to tests. Its `edit`, `add` and `delete` methods change records
as a user in the HubSpot UI would (same write path as the API, with `sourceType: CRM_UI`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sandbox.hubspot.associations import Associations
from sandbox.hubspot.catalog import ObjectTypeDef, standard_types
from sandbox.hubspot.owners import Owner
from sandbox.hubspot.pipelines import Pipelines
from sandbox.hubspot.record import Record
from sandbox.hubspot.store import ObjectStore

TIERS = ("starter", "professional", "enterprise")


class Portal:
    """One HubSpot account. `tier` below "enterprise" refuses custom object schemas (403)."""

    def __init__(self, *, portal_id: int = 46781234, tier: str = "enterprise",
                 clock: Callable[[], datetime] | None = None, time_zone: str = "UTC",
                 currency: str = "USD"):
        if tier not in TIERS:
            raise ValueError(f"tier must be one of {', '.join(TIERS)}; got {tier!r}")
        self.portal_id, self.tier, self.time_zone, self.currency = portal_id, tier, time_zone, currency
        self.clock = clock or (lambda: datetime.now(UTC))
        self.types: dict[str, ObjectTypeDef] = standard_types()
        self.store = ObjectStore(self.types, self._now)
        self.pipelines = Pipelines(self.types["deals"])
        self.currencies: dict[str, float] = {}  # iso code -> units per company-currency unit
        self.store.sources = self  # deals' calculated properties read the pipelines and currency rates
        self.owners: dict[str, Owner] = {}
        self.associations = Associations()
        self.schemas: dict[str, dict[str, Any]] = {}  # custom object type name -> schema metadata
        self.next_custom_type = 1

    def _now(self) -> datetime:
        return self.clock()

    # -- object types ------------------------------------------------------------------------------
    def resolve_type(self, name: str) -> ObjectTypeDef | None:
        """An object type by plural name, singular name, objectTypeId or fullyQualifiedName."""
        lowered = name.lower()
        for t in self.types.values():
            if lowered in (t.name, t.singular.replace(" ", "_"), t.object_type_id.lower()) or (
                    t.custom and lowered == self.schemas.get(t.name, {}).get("fullyQualifiedName", "").lower()):
                return t
        return None

    @property
    def enterprise(self) -> bool:
        return self.tier == "enterprise"

    # -- what a user does in the UI ----------------------------------------------------------------
    def add(self, type_name: str, properties: dict[str, str], *, associations: dict[str, list[str]] | None = None,
            created_at: datetime | None = None) -> Record:
        """Create a record as a user would; `associations` maps a type to the ids to link."""
        record = self.store.create(type_name, properties, created_at=created_at, source="CRM_UI", check=False)
        for to_type, ids in (associations or {}).items():
            for to_id in ids:
                self.associations.add(type_name, record.id, to_type, to_id)
        return record

    def edit(self, type_name: str, record_id: str, properties: dict[str, str]) -> Record:
        """Change properties of a live record as a user would (bumps hs_lastmodifieddate)."""
        return self.store.update(type_name, record_id, properties, source="CRM_UI", check=False)

    def delete(self, type_name: str, record_id: str) -> bool:
        """Delete a record to the recycle bin (it then shows only in `archived=true` lists)."""
        return self.store.archive(type_name, record_id)

    def add_owner(self, owner: Owner) -> None:
        """Add an owner; hubspot_owner_id then accepts its id (HubSpot rejects unknown owner ids)."""
        self.owners[owner.id] = owner
        choices = [{"label": f"{o.first_name} {o.last_name} ({o.email})", "value": o.id, "displayOrder": i}
                   for i, o in enumerate(self.owners.values())]
        for t in self.types.values():
            if "hubspot_owner_id" in t.properties:
                t.properties["hubspot_owner_id"].options = choices
