"""The two ways to page through an object type: the list endpoint and search restarted from the last id.

Both yield plain JSON records, one page at a time, so memory is bounded by the page size. Search never
pages with an offset: every request filters `hs_object_id > <last id read>` and sorts by `hs_object_id`,
which crosses HubSpot's 10,000-results-per-query cap with the minimum of calls (ceil(n / 200)) and
without missing a record that leaves the result set between two pages.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from connectors.hubspot.client import HubSpotClient

LIST_PAGE = 100
SEARCH_PAGE = 200

Page = list[dict[str, Any]]


def list_pages(
    client: HubSpotClient,
    object_type: str,
    properties: Sequence[str],
    *,
    archived: bool = False,
    after: str | None = None,
    limit: int = LIST_PAGE,
) -> Iterator[tuple[Page, str | None]]:
    """(records, the `after` token of the next page or None on the last page)."""
    api = client.api("crm.objects.basic_api")
    while True:
        kwargs: dict[str, Any] = {"limit": limit, "properties": list(properties), "archived": archived}
        if after:
            kwargs["after"] = after
        body = client.read_json(
            "list",
            f"list {'archived ' if archived else ''}{object_type}",
            api.get_page,
            object_type,
            **kwargs,
        )
        after = next_after(body)
        yield list(body.get("results") or []), after
        if after is None:
            return


def search_pages(
    client: HubSpotClient,
    object_type: str,
    properties: Sequence[str],
    *,
    field: str,
    lower: int | None,
    until: int | None = None,
    after_id: str | None = None,
    limit: int = SEARCH_PAGE,
) -> Iterator[tuple[Page, str | None, bool]]:
    """(records, the last id read so far, whether more follow) for records whose `field` (epoch ms)
    lies in [lower, until]; either bound may be None."""
    api = client.api("crm.objects.search_api")
    while True:
        filters: list[dict[str, str]] = []
        if lower is not None:
            filters.append({"propertyName": field, "operator": "GTE", "value": str(lower)})
        if until is not None:
            filters.append({"propertyName": field, "operator": "LTE", "value": str(until)})
        if after_id is not None:
            filters.append({"propertyName": "hs_object_id", "operator": "GT", "value": str(after_id)})
        request: dict[str, Any] = {
            "properties": list(properties),
            "limit": limit,
            "sorts": [{"propertyName": "hs_object_id", "direction": "ASCENDING"}],
        }
        if filters:
            request["filterGroups"] = [{"filters": filters}]
        body = client.read_json(
            "search", f"search changed {object_type}", api.do_search, object_type, request
        )
        page = list(body.get("results") or [])
        more = bool((body.get("paging") or {}).get("next")) and bool(page)
        if page:
            after_id = str(page[-1]["id"])
        yield page, after_id, more
        if not more:
            return


def next_after(body: Mapping[str, Any]) -> str | None:
    after = ((body.get("paging") or {}).get("next") or {}).get("after")
    return str(after) if after not in (None, "") else None
