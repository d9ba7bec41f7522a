"""The standard object types of a HubSpot portal and their properties (one table entry per type).

Only properties the product or a realistic connector reads are listed; admins add more through
/crm/v3/properties like in a real portal. Object type ids are HubSpot's (`0-3` deals, ...).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sandbox.hubspot.properties import PropertyDef, options

# Real HubSpot call disposition GUIDs (the values of hs_call_disposition in every portal).
CALL_DISPOSITIONS = {
    "f240bbac-87c9-4f6e-bf70-924b57d47db7": "Connected",
    "73a0d17f-1163-4015-bdd5-ec830791da20": "No answer",
    "b2cf5968-551e-4856-9783-52b3da59a7d0": "Left voicemail",
    "9d9162e7-6cf3-4944-bf63-4dff82258764": "Busy",
    "a4c4c377-d246-4b32-a13b-75a56a4cd0ff": "Left live message",
    "17b47fee-58de-441e-a44c-c6300d46f273": "Wrong number",
}

# (name, type, fieldType, label or None) — label defaults to the name in title case.
Spec = tuple


@dataclass
class ObjectTypeDef:
    """An object type: its ids, names, defaults and property definitions."""

    name: str  # the plural API name: deals, contacts, ...
    object_type_id: str
    singular: str
    group: str
    defaults: tuple[str, ...]  # properties every read returns unasked
    primary_display: str
    specs: tuple[Spec, ...] = ()
    enums: dict[str, list[dict]] = field(default_factory=dict)
    unique: tuple[str, ...] = ()
    custom: bool = False
    properties: dict[str, PropertyDef] = field(default_factory=dict)
    groups: dict[str, dict] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.properties:
            for spec in COMMON_SPECS + self.specs:
                self.add(spec)
        if not self.groups:
            self.groups[self.group] = {"name": self.group, "label": self.group.replace("information", " information").title(),
                                       "displayOrder": -1, "archived": False}

    def add(self, spec: Spec) -> None:
        name, type_, field_type, label, *flags = spec + ((None,) if len(spec) == 3 else ())
        self.properties[name] = PropertyDef(
            name=name, label=label or name.replace("hs_", "").replace("_", " ").title(), type=type_,
            field_type=field_type, group_name=self.group, options=self.enums.get(name, []),
            has_unique_value=name in self.unique or name == "hs_object_id",
            calculated="calc" in flags, read_only="ro" in flags,
        )

    @property
    def upper(self) -> str:
        """The name HubSpot uses in messages ("Could not get some DEAL objects")."""
        return self.singular.upper().replace(" ", "_")


# Every object has these; HubSpot sets them, clients cannot.
COMMON_SPECS: tuple[Spec, ...] = (
    ("hs_object_id", "number", "number", "Record ID", "ro"),
    ("hs_createdate", "datetime", "date", "Object create date/time", "ro"),
    ("hs_lastmodifieddate", "datetime", "date", "Last Modified Date", "ro"),
    ("hubspot_owner_id", "enumeration", "select", "Owner"),
)

OWNER_LINKED = ("hubspot_owner_id",)

DEAL_STAGE_ENUM: list[dict] = []  # filled from the portal's pipelines (see Portal.sync_stage_options)

STANDARD_TYPES: tuple[ObjectTypeDef, ...] = (
    ObjectTypeDef(
        "contacts", "0-1", "contact", "contactinformation",
        ("createdate", "email", "firstname", "hs_object_id", "lastmodifieddate", "lastname"), "email",
        specs=(
            ("email", "string", "text"), ("firstname", "string", "text", "First Name"),
            ("lastname", "string", "text", "Last Name"), ("company", "string", "text", "Company Name"),
            ("createdate", "datetime", "date", "Create Date"),
            ("lastmodifieddate", "datetime", "date", "Last Modified Date", "ro"),
            ("lifecyclestage", "enumeration", "radio", "Lifecycle Stage"),
            ("hs_lead_status", "enumeration", "radio", "Lead Status"),
            ("hs_analytics_source", "enumeration", "select", "Original Traffic Source", "ro"),
            ("hs_analytics_source_data_1", "string", "text", "Original Traffic Source Drill-Down 1", "ro"),
            ("hs_lifecyclestage_lead_date", "datetime", "date", "Became a Lead Date", "calc"),
            ("hs_lifecyclestage_marketingqualifiedlead_date", "datetime", "date", "Became a MQL Date", "calc"),
            ("hs_lifecyclestage_salesqualifiedlead_date", "datetime", "date", "Became a SQL Date", "calc"),
            ("hs_lifecyclestage_opportunity_date", "datetime", "date", "Became an Opportunity Date", "calc"),
            ("hs_lifecyclestage_customer_date", "datetime", "date", "Became a Customer Date", "calc"),
            ("hs_lifecyclestage_other_date", "datetime", "date", "Became an Other Lifecycle Date", "calc"),
            ("associatedcompanyid", "number", "number", "Primary Associated Company ID"),
        ),
        enums={
            "lifecyclestage": options("subscriber", "lead", "marketingqualifiedlead", "salesqualifiedlead",
                                      "opportunity", "customer", "evangelist", "other"),
            "hs_lead_status": options("NEW", "OPEN", "IN_PROGRESS", "OPEN_DEAL", "UNQUALIFIED",
                                      "ATTEMPTED_TO_CONTACT", "CONNECTED", "BAD_TIMING"),
            "hs_analytics_source": options("ORGANIC_SEARCH", "PAID_SEARCH", "EMAIL_MARKETING", "SOCIAL_MEDIA",
                                           "REFERRALS", "OTHER_CAMPAIGNS", "DIRECT_TRAFFIC", "OFFLINE",
                                           "PAID_SOCIAL", "AI_REFERRALS"),
        },
        unique=("email",),
    ),
    ObjectTypeDef(
        "companies", "0-2", "company", "companyinformation",
        ("createdate", "domain", "hs_lastmodifieddate", "hs_object_id", "name"), "name",
        specs=(
            ("name", "string", "text", "Company name"), ("domain", "string", "text", "Company Domain Name"),
            ("industry", "enumeration", "select"), ("region", "string", "text", "Region"),
            ("country", "string", "text", "Country/Region"),
            ("createdate", "datetime", "date", "Create Date"),
            ("lifecyclestage", "enumeration", "radio", "Lifecycle Stage"),
        ),
        enums={"lifecyclestage": options("subscriber", "lead", "marketingqualifiedlead", "salesqualifiedlead",
                                         "opportunity", "customer", "evangelist", "other")},
    ),
    ObjectTypeDef(
        "deals", "0-3", "deal", "dealinformation",
        ("amount", "closedate", "createdate", "dealname", "dealstage", "hs_lastmodifieddate", "hs_object_id",
         "pipeline"), "dealname",
        specs=(
            ("dealname", "string", "text", "Deal Name"), ("amount", "number", "number", "Amount"),
            ("deal_currency_code", "enumeration", "select", "Currency"),
            ("amount_in_home_currency", "number", "number", "Amount in company currency", "calc"),
            ("closedate", "datetime", "date", "Close Date"), ("createdate", "datetime", "date", "Create Date"),
            ("dealstage", "enumeration", "radio", "Deal Stage"), ("pipeline", "enumeration", "select", "Pipeline"),
            ("dealtype", "enumeration", "radio", "Deal Type"),
            ("hs_is_closed_won", "bool", "booleancheckbox", "Is Closed Won", "calc"),
            ("hs_is_closed", "bool", "booleancheckbox", "Is Deal Closed?", "calc"),
            ("hs_is_closed_lost", "bool", "booleancheckbox", "Is closed lost", "calc"),
            ("hs_deal_stage_probability", "number", "number", "Deal probability", "calc"),
            ("hs_forecast_category", "enumeration", "select", "Forecast category"),
            ("hs_manual_forecast_category", "enumeration", "select", "Forecast category (manual)"),
            ("hs_analytics_source", "enumeration", "select", "Original Traffic Source", "ro"),
            ("contract_length_months", "number", "number", "Contract length (months)"),
            ("hs_deal_renewal_type", "enumeration", "select", "Renewal type"),
            ("description", "string", "textarea", "Deal Description"),
        ),
        enums={
            "dealtype": options("newbusiness", "existingbusiness"),
            "hs_forecast_category": options("OMIT", "PIPELINE", "BEST_CASE", "COMMIT", "CLOSED"),
            "hs_manual_forecast_category": options("OMIT", "PIPELINE", "BEST_CASE", "COMMIT", "CLOSED"),
            "hs_deal_renewal_type": options("renewal", "expansion", "churn"),
            "hs_analytics_source": options("ORGANIC_SEARCH", "PAID_SEARCH", "EMAIL_MARKETING", "SOCIAL_MEDIA",
                                           "REFERRALS", "OTHER_CAMPAIGNS", "DIRECT_TRAFFIC", "OFFLINE",
                                           "PAID_SOCIAL", "AI_REFERRALS"),
        },
    ),
    ObjectTypeDef(
        "products", "0-7", "product", "productinformation",
        ("createdate", "description", "hs_lastmodifieddate", "hs_object_id", "name", "price"), "name",
        specs=(("name", "string", "text"), ("description", "string", "textarea"), ("price", "number", "number"),
               ("hs_sku", "string", "text", "SKU"), ("hs_product_type", "enumeration", "select", "Product type"),
               ("createdate", "datetime", "date", "Create Date")),
        enums={"hs_product_type": options("inventory", "non_inventory", "service")},
        unique=("hs_sku",),
    ),
    ObjectTypeDef(
        "line_items", "0-8", "line item", "lineiteminformation",
        ("amount", "createdate", "hs_lastmodifieddate", "hs_object_id", "hs_product_id", "name", "price",
         "quantity"), "name",
        specs=(("name", "string", "text"), ("hs_product_id", "number", "number", "Product ID"),
               ("quantity", "number", "number"), ("price", "number", "number", "Unit price"),
               ("amount", "number", "number", "Net price", "calc"),
               ("hs_line_item_currency_code", "enumeration", "select", "Currency"),
               ("createdate", "datetime", "date", "Create Date")),
    ),
    ObjectTypeDef(
        "calls", "0-48", "call", "callinformation",
        ("hs_createdate", "hs_lastmodifieddate", "hs_object_id"), "hs_call_title",
        specs=(("hs_timestamp", "datetime", "date", "Activity date"), ("hs_call_title", "string", "text", "Call Title"),
               ("hs_call_body", "string", "textarea", "Call notes"),
               ("hs_call_duration", "number", "number", "Call duration"),
               ("hs_call_disposition", "string", "text", "Call outcome"),
               ("hs_call_direction", "enumeration", "select", "Call direction"),
               ("hs_call_status", "enumeration", "select", "Call status"),
               ("hs_activity_type", "enumeration", "select", "Call and meeting type")),
        enums={"hs_call_direction": options("INBOUND", "OUTBOUND"),
               "hs_call_status": options("BUSY", "CALLING_CRM_USER", "CANCELED", "COMPLETED", "CONNECTING",
                                         "FAILED", "IN_PROGRESS", "NO_ANSWER", "QUEUED", "RINGING")},
    ),
    ObjectTypeDef(
        "emails", "0-49", "email", "emailinformation",
        ("hs_createdate", "hs_lastmodifieddate", "hs_object_id"), "hs_email_subject",
        specs=(("hs_timestamp", "datetime", "date", "Activity date"), ("hs_email_subject", "string", "text", "Email subject"),
               ("hs_email_text", "string", "textarea", "Email body"),
               ("hs_email_direction", "enumeration", "select", "Email direction"),
               ("hs_email_status", "enumeration", "select", "Email send status"),
               ("hs_email_open_count", "number", "number", "Open count", "ro"),
               ("hs_email_click_count", "number", "number", "Click count", "ro"),
               ("hs_email_tracker_key", "string", "text", "Tracker key", "ro")),
        enums={"hs_email_direction": options("EMAIL", "INCOMING_EMAIL", "FORWARDED_EMAIL"),
               "hs_email_status": options("BOUNCED", "FAILED", "SCHEDULED", "SENDING", "SENT")},
    ),
    ObjectTypeDef(
        "meetings", "0-47", "meeting", "meetinginformation",
        ("hs_createdate", "hs_lastmodifieddate", "hs_object_id"), "hs_meeting_title",
        specs=(("hs_timestamp", "datetime", "date", "Activity date"),
               ("hs_meeting_title", "string", "text", "Meeting name"),
               ("hs_meeting_start_time", "datetime", "date", "Start Time"),
               ("hs_meeting_end_time", "datetime", "date", "End Time"),
               ("hs_meeting_outcome", "enumeration", "select", "Meeting outcome"),
               ("hs_activity_type", "enumeration", "select", "Call and meeting type")),
        enums={"hs_meeting_outcome": options("SCHEDULED", "COMPLETED", "RESCHEDULED", "NO_SHOW", "CANCELED")},
    ),
    ObjectTypeDef(
        "tasks", "0-27", "task", "taskinformation",
        ("hs_createdate", "hs_lastmodifieddate", "hs_object_id"), "hs_task_subject",
        specs=(("hs_timestamp", "datetime", "date", "Due date"), ("hs_task_subject", "string", "text", "Task Title"),
               ("hs_task_status", "enumeration", "select", "Task Status"),
               ("hs_task_type", "enumeration", "select", "Task Type"),
               ("hs_task_completion_date", "datetime", "date", "Completed at", "ro")),
        enums={"hs_task_status": options("NOT_STARTED", "IN_PROGRESS", "WAITING", "COMPLETED", "DEFERRED"),
               "hs_task_type": options("CALL", "EMAIL", "LINKED_IN", "MEETING", "LINKED_IN_CONNECT", "TODO")},
    ),
    ObjectTypeDef(
        "notes", "0-46", "note", "noteinformation",
        ("hs_createdate", "hs_lastmodifieddate", "hs_object_id"), "hs_note_body",
        specs=(("hs_timestamp", "datetime", "date", "Activity date"), ("hs_note_body", "string", "textarea", "Note body")),
    ),
    ObjectTypeDef(
        "users", "0-115", "user", "userinformation",
        ("hs_createdate", "hs_lastmodifieddate", "hs_object_id"), "hs_email",
        specs=(("hs_email", "string", "text", "Email"), ("hs_given_name", "string", "text", "First name"),
               ("hs_family_name", "string", "text", "Last name"),
               ("hs_internal_user_id", "number", "number", "User ID", "ro"),
               ("hs_deactivated", "bool", "booleancheckbox", "Deactivated", "ro"),
               ("hs_job_title", "string", "text", "Job title"),
               ("hs_team_name", "string", "text", "Primary team"),
               ("hs_main_user_team_id", "number", "number", "Main team ID", "ro"),
               ("hs_standard_time_zone", "string", "text", "Time zone")),
        unique=("hs_internal_user_id",),
    ),
    ObjectTypeDef(
        "goal_targets", "0-74", "goal target", "goal_target_information",
        ("hs_createdate", "hs_lastmodifieddate", "hs_object_id"), "hs_goal_name",
        specs=(("hs_goal_name", "string", "text", "Goal name"), ("hs_target_amount", "number", "number", "Target"),
               ("hs_start_datetime", "datetime", "date", "Start date"),
               ("hs_end_datetime", "datetime", "date", "End date"),
               ("hs_assignee_user_id", "number", "number", "Assignee user ID"),
               ("hs_goal_type", "string", "text", "Goal type"),
               ("hs_currency_code", "string", "text", "Currency")),
    ),
)

# The meeting/call type values a portal has by default; renderers may add more (e.g. "Demo").
ACTIVITY_TYPES = ["Discovery call", "Demo", "Follow up", "Negotiation", "Onboarding"]


def standard_types() -> dict[str, ObjectTypeDef]:
    """Fresh copies of the standard types for one portal (portals add properties independently)."""
    fresh = {}
    for t in STANDARD_TYPES:
        copy = ObjectTypeDef(t.name, t.object_type_id, t.singular, t.group, t.defaults, t.primary_display,
                             t.specs, {k: list(v) for k, v in t.enums.items()}, t.unique)
        if "hs_activity_type" in copy.properties:
            copy.properties["hs_activity_type"].options = options(*ACTIVITY_TYPES)
            for o, label in zip(copy.properties["hs_activity_type"].options, ACTIVITY_TYPES, strict=False):
                o["label"] = o["value"] = label
        fresh[t.name] = copy
    return fresh
