"""Listing in id order with `after`, while records change between pages, and column-wise loading."""

from __future__ import annotations

from datetime import UTC, datetime

from sandbox.hubspot.portal import Portal

T0 = datetime(2024, 1, 1, tzinfo=UTC)
T1 = datetime(2024, 2, 1, 12, 30, 15, 250000, tzinfo=UTC)


def page(portal: Portal, after: int, size: int = 2) -> tuple[list[str], int | None]:
    """One list page as the list endpoint makes it: `size` records from id `after`, and the next `after`."""
    records = portal.store.iter("deals", start=after)
    ids = [r.id for _, r in zip(range(size), records, strict=False)]
    following = next(records, None)
    return ids, int(following.id) if following else None


def test_ids_list_in_numeric_order_whatever_the_load_order() -> None:
    portal = Portal()
    for record_id in ("30", "4", "100", "25"):  # "100" < "25" as text; 25 < 100 as numbers
        portal.store.load("deals", record_id, {"dealname": record_id}, T0, T0)
    assert [r.id for r in portal.store.iter("deals")] == ["4", "25", "30", "100"]
    assert [r.id for r in portal.store.iter("deals", start=26)] == ["30", "100"]


def test_changes_between_pages_show_on_later_pages() -> None:
    portal = Portal()
    for number in range(1, 7):
        portal.store.load("deals", str(number), {"dealname": f"Deal {number}"}, T0, T0)
    first, after = page(portal, 0)
    assert first == ["1", "2"] and after == 3
    # Between pages, in the CRM: an edit, an archive, a purge, and a new deal (the portal's next id, 1001).
    portal.edit("deals", "4", {"dealname": "Edited"})
    portal.delete("deals", "3")
    portal.store.purge("deals", "5")
    created = portal.add("deals", {"dealname": "New"})
    assert created.id == "1001"
    second, after = page(portal, after)
    third, after = page(portal, after)
    # The list reads the portal as it is now (HubSpot keeps no snapshot): 3 is gone (archived), 5 purged,
    # 4 shows its new name, 1001 comes last.
    assert second == ["4", "6"] and third == ["1001"] and after is None
    assert portal.store.get("deals", "4").properties["dealname"] == "Edited"
    assert [r.id for r in portal.store.iter("deals", archived=True)] == ["3"]


def test_load_columns_makes_the_records_load_makes() -> None:
    by_rows, by_columns = Portal(), Portal()
    iso = "2024-02-01T12:30:15.250Z"
    by_rows.store.load("deals", "9", {"dealname": "A", "amount": None}, T0, T1)
    by_rows.store.load("deals", "8", {"dealname": None, "amount": "5"}, T1, T1, archived=True)
    by_columns.store.load_columns("deals", ["9", "8"], {"dealname": ["A", None], "amount": [None, "5"]},
                                  created_at=[T0, T1], updated_at=[T1, T1], archived=[False, True],
                                  created_iso=["2024-01-01T00:00:00.000Z", iso], updated_iso=[iso, iso])
    for record_id in ("9", "8"):
        row = by_rows.store.records["deals"][record_id]
        column = by_columns.store.records["deals"][record_id]
        assert (column.properties, column.created_at, column.updated_at, column.archived, column.archived_at) == \
            (row.properties, row.created_at, row.updated_at, row.archived, row.archived_at)
    # createdate and hs_lastmodifieddate are the ISO stamps; the archived deal was archived when last changed.
    nine = by_columns.store.records["deals"]["9"]
    assert nine.properties["createdate"] == "2024-01-01T00:00:00.000Z" and nine.updated_iso == iso
    assert by_columns.store.records["deals"]["8"].archived_at == T1
    assert [r.id for r in by_columns.store.iter("deals")] == ["9"] and by_columns.store.next_id == 1001
