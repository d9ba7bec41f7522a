"""A HubSpot record as the portal keeps it, and one entry of a property's history. Their own module so the
store, the derivations and the renderers name them without importing each other."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sandbox.hubspot.properties import iso_millis


@dataclass
class HistoryEntry:
    value: str
    timestamp: datetime
    source_type: str = "CRM_UI"
    source_id: str | None = None
    updated_by_user_id: int | None = None

    def to_api(self) -> dict[str, Any]:
        body: dict[str, Any] = {"value": self.value, "timestamp": iso_millis(self.timestamp), "sourceType": self.source_type}
        if self.source_id:
            body["sourceId"] = self.source_id
        if self.updated_by_user_id is not None:
            body["updatedByUserId"] = self.updated_by_user_id
        return body


class Record:
    """One object. Slotted (a large portal holds millions), and its timestamps keep their ISO text once
    formatted: `createdAt`/`updatedAt` of every listed record were a fifth of the time serving a page."""

    __slots__ = (
        "_created_iso",
        "_updated_at",
        "_updated_iso",
        "archived",
        "archived_at",
        "created_at",
        "history",
        "id",
        "properties",
    )

    def __init__(self, id: str, properties: dict[str, str], created_at: datetime, updated_at: datetime,
                 archived: bool = False, archived_at: datetime | None = None,
                 history: dict[str, list[HistoryEntry]] | None = None, *, created_iso: str | None = None,
                 updated_iso: str | None = None) -> None:
        self.id, self.properties, self.created_at = id, properties, created_at
        self._updated_at, self._created_iso, self._updated_iso = updated_at, created_iso, updated_iso
        self.archived, self.archived_at = archived, archived_at
        self.history: dict[str, list[HistoryEntry]] = history if history is not None else {}

    @property
    def updated_at(self) -> datetime:
        return self._updated_at

    @updated_at.setter
    def updated_at(self, value: datetime) -> None:
        self._updated_at, self._updated_iso = value, None

    @property
    def created_iso(self) -> str:
        if self._created_iso is None:
            self._created_iso = iso_millis(self.created_at)
        return self._created_iso

    @property
    def updated_iso(self) -> str:
        if self._updated_iso is None:
            self._updated_iso = iso_millis(self._updated_at)
        return self._updated_iso
