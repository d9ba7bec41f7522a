"""A link to a record in its CRM, so that a reader of the report can open a quarantined record and fix it.

- Salesforce (Lightning): `{instance_url}/lightning/r/{Object}/{Id}/view`.
- HubSpot: `{app host}/contacts/{portal_id}/record/{objectTypeId}/{id}` (every CRM object, not only
  contacts, opens under `/contacts/`); objectTypeIds from HubSpot's object API guide.

No link is better than a wrong one: an unknown object, an id that cannot be one of that CRM's ids, or an
instance without its web URL (or portal id) gives None, and the report shows the bare id.
"""

from __future__ import annotations

import re
from urllib.parse import quote

from sync.report.quality import ReportInstance

SALESFORCE_OBJECTS = {
    "users": "User",
    "accounts": "Account",
    "leads": "Lead",
    "opportunities": "Opportunity",
    "stage_changes": "OpportunityHistory",
    "stages": "OpportunityStage",
    "line_items": "OpportunityLineItem",
}
SALESFORCE_ACTIVITY_PREFIXES = {"00T": "Task", "00U": "Event"}
"""Salesforce activities are Tasks or Events; an id's 3-character key prefix says which."""

HUBSPOT_OBJECT_TYPES = {
    "contacts": "0-1",
    "leads": "0-1",  # the shared schema's leads are HubSpot contacts
    "companies": "0-2",
    "accounts": "0-2",
    "deals": "0-3",
    "opportunities": "0-3",
    "line_items": "0-8",
    "tasks": "0-27",
    "notes": "0-46",
    "meetings": "0-47",
    "calls": "0-48",
    "emails": "0-49",
}
"""Shared-schema tables and HubSpot object names → objectTypeId. Owners (our users) have no record page."""

HUBSPOT_APP = "https://app.hubspot.com"
_SALESFORCE_ID = re.compile(r"[A-Za-z0-9]{15}(?:[A-Za-z0-9]{3})?")
_SALESFORCE_OBJECT = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
_HUBSPOT_ID = re.compile(r"[0-9]+")
_HUBSPOT_TYPE = re.compile(r"[0-9]+-[0-9]+")


def record_url(
    instance: ReportInstance, table: str, crm_id: str | None, crm_object: str | None = None
) -> str | None:
    """The record's page in its CRM; None when the object, the id or the instance's web address is unknown."""
    if not crm_id:
        return None
    if instance.crm == "salesforce":
        return _salesforce_url(instance, table, crm_id, crm_object)
    return _hubspot_url(instance, table, crm_id, crm_object)


def _salesforce_url(instance: ReportInstance, table: str, crm_id: str, crm_object: str | None) -> str | None:
    if not instance.web_url or not _SALESFORCE_ID.fullmatch(crm_id):
        return None
    sobject = crm_object or SALESFORCE_OBJECTS.get(table)
    if sobject is None and table == "activities":
        sobject = SALESFORCE_ACTIVITY_PREFIXES.get(crm_id[:3])
    if sobject is None or not _SALESFORCE_OBJECT.fullmatch(sobject):
        return None
    return f"{instance.web_url.rstrip('/')}/lightning/r/{sobject}/{crm_id}/view"


def _hubspot_url(instance: ReportInstance, table: str, crm_id: str, crm_object: str | None) -> str | None:
    if not instance.portal_id or not _HUBSPOT_ID.fullmatch(crm_id):
        return None
    if crm_object is not None and _HUBSPOT_TYPE.fullmatch(crm_object):
        type_id: str | None = crm_object
    else:
        type_id = HUBSPOT_OBJECT_TYPES.get(crm_object or table)
    if type_id is None:
        return None
    host = (instance.web_url or HUBSPOT_APP).rstrip("/")
    return f"{host}/contacts/{quote(instance.portal_id, safe='')}/record/{type_id}/{crm_id}"
