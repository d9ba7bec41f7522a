"""What the data-quality section lists: records left out (quarantine) and writes the CRM refused.

These are the report's inputs, not the store's tables: the store (or `--input` loading) fills them, the
report only shows them. Each row names its instance so that its link goes to the right CRM.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

Crm = Literal["salesforce", "hubspot"]


@dataclass(frozen=True)
class ReportInstance:
    """One CRM instance in the report: its name (the org scope id) and where its records open.

    `web_url`: Salesforce, the org's instance URL (`https://acme.my.salesforce.com`, the OAuth token
    response's `instance_url`); HubSpot, the app host (`https://app.hubspot.com`, or `https://app-eu1.hubspot.com`
    for EU portals). `portal_id`: HubSpot's account id, needed for record links. Without them the report shows
    ids without links. `names`: display names for scope ids (rep ids → rep names); ids without one show as is.
    `stage_order`: the open stages in pipeline order, for the funnel (without it: by how many entered).
    """

    name: str
    crm: Crm
    web_url: str | None = None
    portal_id: str | None = None
    names: dict[str, str] = field(default_factory=dict)
    stage_order: tuple[str, ...] = ()


@dataclass(frozen=True)
class QuarantineRow:
    """A record that failed validation and was left out, with the reason.

    `table` is the shared schema's table (`opportunities`, `activities`, ...). `crm_object` optionally names
    the CRM's own object (Salesforce `Task`, HubSpot `calls` or an objectTypeId like `0-48`) where the
    table alone does not say it (HubSpot activities).
    """

    instance: str
    table: str
    crm_id: str | None
    reason: str
    crm_object: str | None = None


@dataclass(frozen=True)
class RejectedWrite:
    """A write the CRM refused and the ledger keeps retrying: the target, the CRM's error and the fix.

    `crm_object`/`crm_id`: the record the write went to (the deal for a deal field, the snapshot record if
    it exists) or, for a snapshot not yet created, the record it is about (the rep's User, the account).
    """

    instance: str
    target_key: str
    error_code: str
    message: str
    fix: str | None = None
    crm_object: str | None = None
    crm_id: str | None = None


@dataclass(frozen=True)
class ReportQuality:
    """The data-quality section's rows, for every instance in the report."""

    quarantined: Sequence[QuarantineRow] = ()
    rejected_writes: Sequence[RejectedWrite] = ()
