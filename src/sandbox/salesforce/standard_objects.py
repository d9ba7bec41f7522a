"""The standard objects the sandbox serves, one table entry per object.

Mapping decisions (see docs/sandbox-salesforce.md): a rep's team is the name of their `UserRole`
(`Department` carries the same text); start and leave dates are the custom date fields `Start_Date__c`
and `End_Date__c` on User; an account's region is the custom picklist `Region__c` (with
`BillingCountry` beside it); contract length is the custom number field `Contract_Months__c` on
Opportunity. The org is multi-currency: `CurrencyIsoCode` on money-bearing objects, `CurrencyType` and
`DatedConversionRate` hold the rates.
"""

from __future__ import annotations

from sandbox.salesforce.metadata import FieldDef, SObjectDef

FORECAST_CATEGORIES = ("Omitted", "Pipeline", "BestCase", "Forecast", "Closed")
FORECAST_CATEGORY_NAMES = ("Omitted", "Pipeline", "Best Case", "Commit", "Closed")
FIELD_MAPPING: dict[str, str] = {
    "user.started_at": "Start_Date__c",
    "user.ended_at": "End_Date__c",
    "account.region": "Region__c",
    "opportunity.contract_months": "Contract_Months__c",
}
"""The `field_mapping` of an instance pointed at this org: the schema fields it keeps in custom fields."""
CURRENCIES = ("USD", "EUR", "GBP", "JPY", "AUD", "CAD")
LEAD_SOURCES = ("Web", "Phone Inquiry", "Partner Referral", "Purchased List", "Other", "Employee Referral",
                "External Referral", "Advertisement", "Trade Show", "Webinar", "Outbound")


def _ro(name: str, type_: str, **kw: object) -> FieldDef:
    """A field the platform maintains: readable, never writable by a client."""
    return FieldDef(name, type_, createable=False, updateable=False, **kw)  # type: ignore[arg-type]


def _ref(name: str, *targets: str, rel: str | None = None, **kw: object) -> FieldDef:
    return FieldDef(name, "reference", reference_to=targets,
                    relationship_name=rel or name.removesuffix("Id"), **kw)  # type: ignore[arg-type]


def _pick(name: str, values: tuple[str, ...], **kw: object) -> FieldDef:
    return FieldDef(name, "picklist", picklist=values, **kw)  # type: ignore[arg-type]


def _system_fields(with_modified: bool = True) -> list[FieldDef]:
    fields = [
        _ro("Id", "id", nillable=False),
        _ro("IsDeleted", "boolean", nillable=False),
        _ro("CreatedDate", "datetime", nillable=False),
        _ro("CreatedById", "reference", reference_to=("User",), relationship_name="CreatedBy"),
    ]
    if with_modified:
        fields += [
            _ro("LastModifiedDate", "datetime", nillable=False),
            _ro("LastModifiedById", "reference", reference_to=("User",), relationship_name="LastModifiedBy"),
        ]
    return fields + [_ro("SystemModstamp", "datetime", nillable=False)]


def _custom(name: str, type_: str, **kw: object) -> FieldDef:
    return FieldDef(name, type_, custom=True, **kw)  # type: ignore[arg-type]


def _obj(name: str, prefix: str, fields: list[FieldDef], *, with_modified: bool = True,
         **kw: object) -> SObjectDef:
    all_fields = _system_fields(with_modified) + fields
    return SObjectDef(name, prefix, fields={f.name: f for f in all_fields}, **kw)  # type: ignore[arg-type]


def _currency() -> FieldDef:
    return _pick("CurrencyIsoCode", CURRENCIES, restricted_picklist=True, defaulted_on_create=True)


def _activity_common() -> list[FieldDef]:
    return [
        FieldDef("Subject", "string"),
        _ref("WhatId", "Account", "Opportunity", rel="What"),
        _ref("WhoId", "Lead", rel="Who"),
        _ref("OwnerId", "User", rel="Owner", defaulted_on_create=True, nillable=False),
        _ro("IsArchived", "boolean"),
        FieldDef("Description", "textarea"),
    ]


def standard_objects() -> dict[str, SObjectDef]:
    """A fresh set of definitions (each org gets its own, since custom fields are added per org)."""
    objects = [
        _obj("User", "005", [
            FieldDef("Username", "string", nillable=False), FieldDef("FirstName", "string"),
            FieldDef("LastName", "string", nillable=False), _ro("Name", "string"),
            FieldDef("Email", "email", nillable=False), FieldDef("IsActive", "boolean", defaulted_on_create=True),
            _ref("UserRoleId", "UserRole"), _ref("ManagerId", "User", rel="Manager"),
            FieldDef("Department", "string"), FieldDef("Title", "string"),
            FieldDef("DefaultCurrencyIsoCode", "picklist", picklist=CURRENCIES),
            _custom("Start_Date__c", "date", label="Start Date"),
            _custom("End_Date__c", "date", label="End Date"),
        ]),
        _obj("UserRole", "00E", [
            FieldDef("Name", "string", nillable=False), FieldDef("DeveloperName", "string"),
            _ref("ParentRoleId", "UserRole", rel="ParentRole"),
        ]),
        _obj("Account", "001", [
            FieldDef("Name", "string", nillable=False),
            _ref("OwnerId", "User", rel="Owner", defaulted_on_create=True, nillable=False),
            _pick("Industry", ("Technology", "Finance", "Healthcare", "Manufacturing", "Retail", "Education",
                               "Media", "Energy", "Government", "Other")),
            FieldDef("Type", "picklist", picklist=("Prospect", "Customer", "Partner", "Other")),
            FieldDef("BillingCountry", "string"),
            _custom("Region__c", "picklist", label="Region", picklist=("AMER", "EMEA", "APAC", "LATAM")),
            FieldDef("AnnualRevenue", "currency", precision=18, scale=0), _currency(),
        ]),
        _obj("Lead", "00Q", [
            FieldDef("FirstName", "string"), FieldDef("LastName", "string", nillable=False),
            _ro("Name", "string"), FieldDef("Company", "string", nillable=False), FieldDef("Email", "email"),
            _pick("LeadSource", LEAD_SOURCES),
            _pick("Status", ("Open - Not Contacted", "Working - Contacted", "Closed - Converted",
                             "Closed - Not Converted"), nillable=False, defaulted_on_create=True),
            FieldDef("IsConverted", "boolean", defaulted_on_create=True), FieldDef("ConvertedDate", "date"),
            _ref("ConvertedAccountId", "Account", rel="ConvertedAccount"),
            _ref("ConvertedOpportunityId", "Opportunity", rel="ConvertedOpportunity"),
            _ref("OwnerId", "User", rel="Owner", defaulted_on_create=True, nillable=False),
        ]),
        _obj("Opportunity", "006", [
            FieldDef("Name", "string", nillable=False), _ref("AccountId", "Account"),
            _ref("OwnerId", "User", rel="Owner", defaulted_on_create=True, nillable=False),
            # StageName's values come from the OpportunityStage records (see Store.stage_names).
            _pick("StageName", (), nillable=False, restricted_picklist=True),
            _ro("IsClosed", "boolean"), _ro("IsWon", "boolean"),
            FieldDef("Amount", "currency", precision=18, scale=2), _currency(),
            FieldDef("CloseDate", "date", nillable=False),
            _pick("Type", ("New Business", "Existing Customer - Upgrade", "Existing Customer - Renewal",
                           "Existing Customer - Downgrade")),
            _pick("LeadSource", LEAD_SOURCES),
            _pick("ForecastCategoryName", FORECAST_CATEGORY_NAMES, restricted_picklist=True),
            FieldDef("Probability", "percent", precision=3, scale=0),
            _ro("ExpectedRevenue", "currency", precision=18, scale=2),
            FieldDef("Description", "textarea"),
            _custom("Contract_Months__c", "double", label="Contract Months", precision=3, scale=0),
        ]),
        _obj("OpportunityHistory", "008", [
            _ro("OpportunityId", "reference", reference_to=("Opportunity",), relationship_name="Opportunity"),
            _ro("StageName", "picklist"), _ro("Amount", "currency"), _ro("ExpectedRevenue", "currency"),
            _ro("CloseDate", "date"), _ro("Probability", "percent"),
            _ro("ForecastCategory", "picklist", picklist=FORECAST_CATEGORIES),
            _ro("PrevAmount", "currency"), _ro("PrevCloseDate", "date"),
        ], with_modified=False, createable=False),
        _obj("OpportunityStage", "01J", [
            FieldDef("MasterLabel", "string"), FieldDef("ApiName", "string"), FieldDef("SortOrder", "int"),
            FieldDef("DefaultProbability", "percent"), FieldDef("IsClosed", "boolean"),
            FieldDef("IsWon", "boolean"), FieldDef("IsActive", "boolean"),
            _pick("ForecastCategory", FORECAST_CATEGORIES), _pick("ForecastCategoryName", FORECAST_CATEGORY_NAMES),
            FieldDef("Description", "string"),
        ]),
        _obj("Task", "00T", _activity_common() + [
            _pick("TaskSubtype", ("Task", "Email", "ListEmail", "Cadence", "Call", "LinkedIn")),
            _pick("Type", ("Call", "Email", "Meeting", "Other", "Send Letter")),
            _pick("Status", ("Not Started", "In Progress", "Completed", "Waiting on someone else", "Deferred"),
                  nillable=False, defaulted_on_create=True),
            _pick("Priority", ("High", "Normal", "Low"), defaulted_on_create=True),
            _ro("IsClosed", "boolean"), FieldDef("ActivityDate", "date"),
            _ro("CompletedDateTime", "datetime"),
            FieldDef("CallDurationInSeconds", "int"), FieldDef("CallDisposition", "string"),
            _pick("CallType", ("Internal", "Inbound", "Outbound")),
        ], archivable=True),
        _obj("Event", "00U", _activity_common() + [
            FieldDef("StartDateTime", "datetime"), FieldDef("EndDateTime", "datetime"),
            FieldDef("ActivityDateTime", "datetime"), FieldDef("ActivityDate", "date"),
            FieldDef("DurationInMinutes", "int"),
            _pick("Type", ("Call", "Email", "Meeting", "Demo", "Other")),
            _pick("EventSubtype", ("Event",), defaulted_on_create=True),
        ], archivable=True),
        _obj("OpportunityLineItem", "00k", [
            _ref("OpportunityId", "Opportunity", nillable=False), _ref("Product2Id", "Product2"),
            _ro("Name", "string"), FieldDef("Quantity", "double", nillable=False),
            FieldDef("UnitPrice", "currency"), FieldDef("TotalPrice", "currency"), _currency(),
        ]),
        _obj("Product2", "01t", [
            FieldDef("Name", "string", nillable=False), FieldDef("ProductCode", "string"),
            _pick("Family", ("Platform", "Add-on", "Services", "Support", "None")),
            FieldDef("IsActive", "boolean", defaulted_on_create=True),
        ]),
        _obj("CurrencyType", "02c", [
            FieldDef("IsoCode", "picklist", picklist=CURRENCIES, nillable=False),
            FieldDef("ConversionRate", "double", precision=18, scale=6), FieldDef("DecimalPlaces", "int"),
            FieldDef("IsActive", "boolean"), FieldDef("IsCorporate", "boolean"),
        ]),
        _obj("DatedConversionRate", "04w", [
            FieldDef("IsoCode", "picklist", picklist=CURRENCIES, nillable=False),
            FieldDef("ConversionRate", "double", precision=18, scale=6),
            FieldDef("StartDate", "date"), _ro("NextStartDate", "date"),
        ]),
        _obj("ForecastingQuota", "0J9", [
            _ref("QuotaOwnerId", "User", rel="QuotaOwner", nillable=False),
            FieldDef("QuotaAmount", "currency"), FieldDef("QuotaQuantity", "double"),
            FieldDef("StartDate", "date"), _currency(),
        ]),
        _obj("PermissionSet", "0PS", [
            FieldDef("Name", "string", nillable=False), FieldDef("Label", "string", nillable=False),
            FieldDef("Description", "string"), _ro("IsOwnedByProfile", "boolean"),
        ]),
        _obj("FieldPermissions", "01k", [
            _ref("ParentId", "PermissionSet", rel="Parent", nillable=False),
            FieldDef("SobjectType", "picklist", nillable=False), FieldDef("Field", "picklist", nillable=False),
            FieldDef("PermissionsRead", "boolean"), FieldDef("PermissionsEdit", "boolean"),
        ]),
        _obj("ObjectPermissions", "110", [
            _ref("ParentId", "PermissionSet", rel="Parent", nillable=False, updateable=False),
            FieldDef("SobjectType", "picklist", nillable=False, updateable=False),
            *[FieldDef(f"Permissions{p}", "boolean", defaulted_on_create=True)
              for p in ("Read", "Create", "Edit", "Delete", "ViewAllRecords", "ModifyAllRecords")],
        ]),
        _obj("PermissionSetAssignment", "0Pa", [
            _ref("AssigneeId", "User", rel="Assignee", nillable=False),
            _ref("PermissionSetId", "PermissionSet", nillable=False),
        ]),
    ]
    return {o.name: o for o in objects}
