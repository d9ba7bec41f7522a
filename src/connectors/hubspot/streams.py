"""What is read from a portal: one declaration per HubSpot object type — a table, not if-statements.

Adding an object is one `HubSpotStream(...)` line here plus its mapper in `mapping.py`. `kind` says how
the stream is read: `objects` through /crm/v3/objects (list, search, archived lists, v4 associations),
`owners` and `pipelines` through their directories (small, read whole every run).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from connectors.base import Stream
from connectors.hubspot import mapping, mapping_activities
from connectors.hubspot.context import MappingContext
from kpi_engine.schema import Record

Mapper = Callable[[Mapping[str, Any], MappingContext], "Record | Mapping[str, Any] | list[Record]"]

MODIFIED = "hs_lastmodifieddate"
ENGAGEMENT_LINKS = ("deals", "companies", "contacts")
ENGAGEMENT = ("hubspot_owner_id", "hs_timestamp", MODIFIED)


@dataclass(frozen=True)
class HubSpotStream(Stream):
    """A stream with how HubSpot reads it."""

    kind: Literal["objects", "owners", "pipelines"] = "objects"
    associations: tuple[str, ...] = ()
    """Object types whose associated ids are read for each page (v4 batch read) and given to the mapper."""
    mapper: Mapper | None = None
    optional: bool = False
    """A portal may lack it (goal targets need their own scope): refused with 403, it yields nothing."""
    primary_key: str = "id"


STREAMS: tuple[HubSpotStream, ...] = (
    HubSpotStream("owners", "users", (), None, kind="owners", mapper=mapping.map_owner),
    HubSpotStream("deal_pipelines", "stages", (), None, kind="pipelines"),
    HubSpotStream(
        "companies",
        "accounts",
        ("name", "domain", "industry", "region", "country", "hubspot_owner_id", "createdate", MODIFIED),
        MODIFIED,
        mapper=mapping.map_company,
    ),
    # Contacts keep their modification time in `lastmodifieddate` (the others in hs_lastmodifieddate).
    HubSpotStream(
        "contacts",
        "leads",
        (
            "hubspot_owner_id",
            "createdate",
            "lastmodifieddate",
            "hs_lead_status",
            "lifecyclestage",
            "hs_analytics_source",
            "associatedcompanyid",
            *mapping.CONVERSION_DATES,
            MODIFIED,
        ),
        "lastmodifieddate",
        associations=("deals",),
        mapper=mapping.map_contact,
    ),
    # + hs_v2_date_entered_<stage> of every stage of the portal's pipelines (added at read time).
    HubSpotStream(
        "deals",
        "opportunities",
        (
            "dealname",
            "amount",
            "deal_currency_code",
            "amount_in_home_currency",
            "pipeline",
            "dealstage",
            "closedate",
            "createdate",
            "dealtype",
            "hs_deal_renewal_type",
            "hubspot_owner_id",
            "hs_is_closed",
            "hs_is_closed_won",
            "hs_deal_stage_probability",
            "hs_forecast_category",
            "hs_manual_forecast_category",
            "hs_analytics_source",
            "contract_length_months",
            MODIFIED,
        ),
        MODIFIED,
        associations=("companies",),
        mapper=mapping.map_deal,
    ),
    HubSpotStream(
        "calls",
        "activities",
        (
            *ENGAGEMENT,
            "hs_call_duration",
            "hs_call_disposition",
            "hs_call_direction",
            "hs_call_status",
            "hs_activity_type",
        ),
        MODIFIED,
        associations=ENGAGEMENT_LINKS,
        mapper=mapping_activities.map_call,
    ),
    HubSpotStream(
        "emails",
        "activities",
        (*ENGAGEMENT, "hs_email_direction", "hs_email_status", "hs_email_open_count"),
        MODIFIED,
        associations=ENGAGEMENT_LINKS,
        mapper=mapping_activities.map_email,
    ),
    HubSpotStream(
        "meetings",
        "activities",
        (
            *ENGAGEMENT,
            "hs_meeting_start_time",
            "hs_meeting_end_time",
            "hs_meeting_outcome",
            "hs_activity_type",
        ),
        MODIFIED,
        associations=ENGAGEMENT_LINKS,
        mapper=mapping_activities.map_meeting,
    ),
    HubSpotStream(
        "tasks",
        "activities",
        (*ENGAGEMENT, "hs_task_status", "hs_task_type"),
        MODIFIED,
        associations=ENGAGEMENT_LINKS,
        mapper=mapping_activities.map_task,
    ),
    HubSpotStream(
        "notes",
        "activities",
        ENGAGEMENT,
        MODIFIED,
        associations=ENGAGEMENT_LINKS,
        mapper=mapping_activities.map_note,
    ),
    HubSpotStream(
        "line_items",
        "line_items",
        ("name", "hs_product_id", "quantity", "price", "amount", "product_family", MODIFIED),
        MODIFIED,
        associations=("deals",),
        mapper=mapping.map_line_item,
    ),
    HubSpotStream(
        "goal_targets",
        "quotas",
        (
            "hs_target_amount",
            "hs_start_datetime",
            "hs_end_datetime",
            "hs_assignee_user_id",
            "hs_goal_type",
            MODIFIED,
        ),
        MODIFIED,
        mapper=mapping.map_goal_target,
        optional=True,
    ),
)


def stream_named(name: str) -> HubSpotStream:
    for stream in STREAMS:
        if stream.name == name:
            return stream
    raise KeyError(f"no HubSpot stream {name!r}; streams: {', '.join(s.name for s in STREAMS)}")
