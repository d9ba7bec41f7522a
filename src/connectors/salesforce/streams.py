"""What crm-kpi reads from Salesforce: one declaration per sObject, as Singer SDK streams read.

A declaration names the object, the store table it feeds, the fields it wants (only those the org has and
the integration user can read are selected, from describe), the parent fields it reads through a
relationship, the settings' `field_mapping` keys it honours, and its normaliser in `mapping.NORMALISERS`.
Paging, retry, budget and auth are the client's; the keyset cursor is `keyset`'s.
"""

from __future__ import annotations

from dataclasses import dataclass

from connectors.base import Stream

STAMP = "SystemModstamp"
COMMON = ("Id", "IsDeleted", STAMP)


@dataclass(frozen=True)
class SalesforceStream(Stream):
    """An sObject read incrementally on (SystemModstamp, Id) with queryAll (deletes as tombstones), or
    whole every run when `cursor_field` is None (small reference objects)."""

    normaliser: str = ""
    relations: tuple[str, ...] = ()
    """Parent fields through a relationship (`UserRole.Name`): selected when the relationship exists."""
    mapped: tuple[str, ...] = ()
    """`field_mapping` keys this stream reads (`opportunity.contract_months`)."""
    include_deleted: bool = True
    optional: bool = False
    """The object may not exist in an org (single-currency orgs have no CurrencyType): skipped then."""


def _stream(
    name: str, table: str, fields: tuple[str, ...], normaliser: str, *, incremental: bool = True, **kw: object
) -> SalesforceStream:
    return SalesforceStream(
        name=name,
        table=table,  # type: ignore[arg-type]
        fields=COMMON + fields,
        cursor_field=STAMP if incremental else None,
        normaliser=normaliser,
        **kw,  # type: ignore[arg-type]
    )


STREAMS: tuple[SalesforceStream, ...] = (
    _stream(
        "CurrencyType",
        "fx_rates",
        ("IsoCode", "ConversionRate", "IsCorporate", "IsActive"),
        "currency_type",
        incremental=False,
        include_deleted=False,
        optional=True,
    ),
    _stream(
        "DatedConversionRate",
        "fx_rates",
        ("IsoCode", "ConversionRate", "StartDate", "NextStartDate"),
        "dated_rate",
        incremental=False,
        include_deleted=False,
        optional=True,
    ),
    _stream(
        "User",
        "users",
        ("Name", "Email", "IsActive", "UserRoleId", "ManagerId", "CreatedDate", "UserType", "ProfileId"),
        "user",
        relations=("UserRole.Name", "Profile.Name"),
        mapped=("user.started_at", "user.ended_at", "user.team"),
    ),
    _stream(
        "Account",
        "accounts",
        ("Name", "OwnerId", "CreatedDate", "Industry"),
        "account",
        mapped=("account.region", "account.industry"),
    ),
    _stream(
        "Lead",
        "leads",
        (
            "OwnerId",
            "CreatedDate",
            "LeadSource",
            "Status",
            "IsConverted",
            "ConvertedDate",
            "ConvertedAccountId",
            "ConvertedOpportunityId",
        ),
        "lead",
    ),
    _stream(
        "Opportunity",
        "opportunities",
        (
            "Name",
            "AccountId",
            "OwnerId",
            "StageName",
            "Probability",
            "ForecastCategoryName",
            "Type",
            "LeadSource",
            "Amount",
            "CurrencyIsoCode",
            "CreatedDate",
            "CloseDate",
            "IsClosed",
            "IsWon",
            "RecordTypeId",
        ),
        "opportunity",
        relations=("RecordType.Name",),
        mapped=("opportunity.contract_months", "opportunity.pipeline"),
    ),
    _stream(
        "OpportunityHistory", "stage_changes", ("OpportunityId", "StageName", "CreatedDate"), "stage_change"
    ),
    _stream(
        "OpportunityStage",
        "stages",
        (
            "MasterLabel",
            "ApiName",
            "SortOrder",
            "DefaultProbability",
            "IsClosed",
            "IsWon",
            "IsActive",
            "ForecastCategoryName",
        ),
        "stage",
        incremental=False,
        include_deleted=False,
    ),
    _stream(
        "Task",
        "activities",
        (
            "TaskSubtype",
            "Type",
            "Subject",
            "Status",
            "IsClosed",
            "ActivityDate",
            "CompletedDateTime",
            "CreatedDate",
            "CallDurationInSeconds",
            "CallDisposition",
            "CallType",
            "WhatId",
            "WhoId",
            "OwnerId",
        ),
        "task",
    ),
    _stream(
        "Event",
        "activities",
        (
            "Type",
            "Subject",
            "EventSubtype",
            "StartDateTime",
            "EndDateTime",
            "ActivityDateTime",
            "DurationInMinutes",
            "CreatedDate",
            "WhatId",
            "WhoId",
            "OwnerId",
        ),
        "event",
    ),
    _stream(
        "OpportunityLineItem",
        "line_items",
        ("OpportunityId", "Product2Id", "Quantity", "UnitPrice", "TotalPrice", "CurrencyIsoCode"),
        "line_item",
        relations=("Product2.Name", "Product2.Family"),
    ),
    _stream(
        "ForecastingQuota",
        "quotas",
        ("QuotaOwnerId", "QuotaAmount", "StartDate", "CurrencyIsoCode"),
        "quota",
        optional=True,
    ),
)
"""In dependency order: rates before the amounts they convert, users before what they own."""

BY_NAME = {stream.name: stream for stream in STREAMS}
