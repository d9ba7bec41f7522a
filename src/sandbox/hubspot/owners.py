"""Owners: the read-only directory of users that `hubspot_owner_id` points at.

Teams live on owners (`teams: [{id, name, primary}]`); that is how the shared schema's `team` is
represented in HubSpot.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from sandbox.hubspot.properties import iso_millis


@dataclass
class Owner:
    id: str
    email: str
    first_name: str
    last_name: str
    user_id: int
    teams: list[dict] = field(default_factory=list)  # [{"id": "12", "name": "EMEA", "primary": True}]
    archived: bool = False
    created_at: datetime = field(default_factory=lambda: datetime(2021, 1, 1, tzinfo=UTC))
    updated_at: datetime = field(default_factory=lambda: datetime(2021, 1, 1, tzinfo=UTC))

    def to_api(self) -> dict:
        body = {"id": self.id, "email": self.email, "type": "PERSON", "firstName": self.first_name,
                "lastName": self.last_name, "userId": self.user_id, "userIdIncludingInactive": self.user_id,
                "createdAt": iso_millis(self.created_at), "updatedAt": iso_millis(self.updated_at),
                "archived": self.archived}
        if self.teams:
            body["teams"] = [{"id": str(t["id"]), "name": t["name"], "primary": bool(t.get("primary", False))}
                             for t in self.teams]
        return body

    @classmethod
    def from_api(cls, body: dict) -> Owner:
        from sandbox.hubspot.properties import parse_instant
        return cls(id=str(body["id"]), email=body.get("email") or "", first_name=body.get("firstName") or "",
                   last_name=body.get("lastName") or "", user_id=int(body.get("userId") or body["id"]),
                   teams=list(body.get("teams") or []), archived=bool(body.get("archived", False)),
                   created_at=parse_instant(body.get("createdAt") or "") or datetime(2021, 1, 1, tzinfo=UTC),
                   updated_at=parse_instant(body.get("updatedAt") or "") or datetime(2021, 1, 1, tzinfo=UTC))
