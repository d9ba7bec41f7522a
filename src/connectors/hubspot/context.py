"""What the mappers need beyond one record: the pipelines' stages, owners by user id, the currencies.

Built once per run from two small reads (pipelines, owners) and handed to every mapper, so the mappers stay
pure functions of (record, context).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class StageInfo:
    """One deal stage as its pipeline defines it."""

    pipeline: str
    stage_id: str
    label: str
    order: int
    probability: float | None
    is_closed: bool
    is_won: bool


@dataclass(frozen=True)
class MappingContext:
    reporting_currency: str = "USD"
    home_currency: str | None = None
    """The portal's company currency (`amount_in_home_currency` is in it); None: taken to be the reporting
    currency."""
    stages: Mapping[tuple[str, str], StageInfo] = field(default_factory=dict)
    """(pipeline id, stage id) → stage."""
    owner_of_user: Mapping[str, str] = field(default_factory=dict)
    """HubSpot user id (`userId`, goal targets' assignee) → owner id (what `hubspot_owner_id` holds)."""
    field_mapping: Mapping[str, str] = field(default_factory=dict)
    """Schema field → HubSpot property for values kept in portal-specific properties (settings)."""

    def stage(self, pipeline: str | None, stage_id: str | None) -> StageInfo | None:
        if stage_id is None:
            return None
        found = self.stages.get((pipeline or "", stage_id))
        if found is None:  # a deal whose pipeline is unset: stage ids are unique across pipelines
            found = next((s for (_, sid), s in self.stages.items() if sid == stage_id), None)
        return found

    def property_for(self, schema_field: str, default: str) -> str:
        return self.field_mapping.get(schema_field, default)

    @property
    def stage_ids(self) -> list[str]:
        return sorted({stage_id for _, stage_id in self.stages})
