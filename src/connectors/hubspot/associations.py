"""Associated ids of a page of records, through the v4 batch read (100 inputs a call per target type).

A record without associations of a type comes back as a 207 error entry (`NO_ASSOCIATIONS_FOUND`): that is
an answer, not a failure. Ids are ordered with the primary association first, then ascending, so "the
deal's company" is its primary company where the portal labels one.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from connectors.hubspot.client import HubSpotClient

BATCH = 100
Links = dict[str, dict[str, list[str]]]
"""record id → target type → associated ids."""


class AssociationReader:
    def __init__(self, client: HubSpotClient) -> None:
        self.client = client

    def read(self, from_type: str, ids: Sequence[str], to_types: Sequence[str]) -> Links:
        links: Links = {record_id: {} for record_id in ids}
        api = self.client.api("crm.associations.v4.batch_api")
        for to_type in to_types:
            for start in range(0, len(ids), BATCH):
                chunk = ids[start : start + BATCH]
                body = self.client.read_json(
                    "associations",
                    f"read {from_type} → {to_type} associations",
                    api.get_page,
                    from_type,
                    to_type,
                    {"inputs": [{"id": record_id} for record_id in chunk]},
                )
                for result in body.get("results") or []:
                    links.setdefault(str(result["from"]["id"]), {})[to_type] = _ordered(
                        result.get("to") or []
                    )
        return links


def _ordered(targets: list[dict[str, Any]]) -> list[str]:
    def primary(target: dict[str, Any]) -> bool:
        return any((t.get("label") or "") == "Primary" for t in target.get("associationTypes") or [])

    ranked = sorted(targets, key=lambda t: (not primary(t), int(t["toObjectId"])))
    return [str(t["toObjectId"]) for t in ranked]
