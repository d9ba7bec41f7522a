"""Associations between records, with HubSpot's v4 association type ids.

Stored once per pair in both directions, each direction with its own HUBSPOT_DEFINED type id
(deal→company 5 "Primary" and 341 unlabeled, company→deal 6 / 342, ...).
"""

from __future__ import annotations

from collections import defaultdict

# (from type, to type) -> (unlabeled type id, primary type id or None)
TYPE_IDS: dict[tuple[str, str], tuple[int, int | None]] = {
    ("contacts", "companies"): (279, 1), ("companies", "contacts"): (280, 2),
    ("deals", "contacts"): (3, None), ("contacts", "deals"): (4, None),
    ("deals", "companies"): (341, 5), ("companies", "deals"): (342, 6),
    ("deals", "line_items"): (19, None), ("line_items", "deals"): (20, None),
    ("contacts", "calls"): (193, None), ("calls", "contacts"): (194, None),
    ("companies", "calls"): (181, None), ("calls", "companies"): (182, None),
    ("deals", "calls"): (205, None), ("calls", "deals"): (206, None),
    ("contacts", "emails"): (197, None), ("emails", "contacts"): (198, None),
    ("companies", "emails"): (185, None), ("emails", "companies"): (186, None),
    ("deals", "emails"): (209, None), ("emails", "deals"): (210, None),
    ("contacts", "meetings"): (199, None), ("meetings", "contacts"): (200, None),
    ("companies", "meetings"): (187, None), ("meetings", "companies"): (188, None),
    ("deals", "meetings"): (211, None), ("meetings", "deals"): (212, None),
    ("contacts", "notes"): (201, None), ("notes", "contacts"): (202, None),
    ("companies", "notes"): (189, None), ("notes", "companies"): (190, None),
    ("deals", "notes"): (213, None), ("notes", "deals"): (214, None),
    ("contacts", "tasks"): (203, None), ("tasks", "contacts"): (204, None),
    ("companies", "tasks"): (191, None), ("tasks", "companies"): (192, None),
    ("deals", "tasks"): (215, None), ("tasks", "deals"): (216, None),
}
_next_custom_type_id = [1000]


def type_ids(from_type: str, to_type: str) -> tuple[int, int | None]:
    """Type ids for a pair; pairs HubSpot has no fixed id for (custom objects) get stable new ones."""
    if (from_type, to_type) not in TYPE_IDS:
        base = _next_custom_type_id[0]
        _next_custom_type_id[0] += 2
        TYPE_IDS[(from_type, to_type)] = (base, None)
        TYPE_IDS[(to_type, from_type)] = (base + 1, None)
    return TYPE_IDS[(from_type, to_type)]


class Associations:
    """Edges keyed by (from type, to type) -> from id -> {to id: frozen set of type ids}.

    Nested by type pair rather than keyed by (from type, from id, to type): a tuple per record and pair
    was a fifth of a rendered portal's memory."""

    def __init__(self) -> None:
        self.edges: dict[tuple[str, str], dict[str, dict[str, frozenset[int]]]] = defaultdict(dict)

    def add(self, from_type: str, from_id: str, to_type: str, to_id: str, primary: bool = False) -> None:
        self.add_many(from_type, [str(from_id)], to_type, [str(to_id)], primary)

    def add_many(self, from_type: str, from_ids: list[str], to_type: str, to_ids: list[str | None],
                 primary: bool = False) -> None:
        """Associate each from id with the to id beside it (None: no association), both directions; ids
        are strings.

        Type-id sets are frozen and shared between edges that have the same ones: a large portal has
        tens of millions of edges, and a set per edge was most of their memory."""
        for a_type, a_ids, b_type, b_ids in ((from_type, from_ids, to_type, to_ids),
                                             (to_type, to_ids, from_type, from_ids)):
            unlabeled, primary_id = type_ids(a_type, b_type)
            added = frozenset([unlabeled, primary_id] if primary and primary_id is not None else [unlabeled])
            shared: dict[frozenset[int], frozenset[int]] = {added: added}
            by_from = self.edges[(a_type, b_type)]
            for a_id, b_id in zip(a_ids, b_ids, strict=False):
                if a_id is None or b_id is None:
                    continue
                targets = by_from.get(a_id)
                if targets is None:
                    targets = by_from[a_id] = {}
                before = targets.get(b_id)
                if before is None:
                    targets[b_id] = added
                else:
                    union = before | added
                    targets[b_id] = shared.setdefault(union, union)

    def remove(self, from_type: str, from_id: str, to_type: str, to_id: str) -> None:
        for a_type, a_id, b_type, b_id in ((from_type, from_id, to_type, to_id), (to_type, to_id, from_type, from_id)):
            self.edges.get((a_type, b_type), {}).get(str(a_id), {}).pop(str(b_id), None)

    def of(self, from_type: str, from_id: str, to_type: str) -> dict[str, frozenset[int]]:
        return self.edges.get((from_type, to_type), {}).get(str(from_id), {})

    def primary_label(self, type_id: int) -> str | None:
        return "Primary" if any(p == type_id for _, p in TYPE_IDS.values()) else None
