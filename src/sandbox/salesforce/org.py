"""Render the generator's shared-schema tables into native Salesforce records (see the mapping table in
docs/sandbox-salesforce.md). One small function per object; `render_org` loads them in dependency order.

Generated timestamps keep their microseconds truncated to milliseconds, so rows generated in the same
millisecond share a SystemModstamp, as bulk-loaded rows do in a real org.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, timezone
from typing import Any

from sandbox.salesforce.derivations import CATEGORY_API
from sandbox.salesforce.store import Store

Row = dict[str, Any]
OPPORTUNITY_TYPES = {"new_business": "New Business", "renewal": "Existing Customer - Renewal",
                     "expansion": "Existing Customer - Upgrade", "other": None}
FORECAST_NAMES = {"pipeline": "Pipeline", "best_case": "Best Case", "commit": "Commit", "closed": "Closed",
                  "omitted": "Omitted"}
CALL_RESULTS = {"connected": "Connected", "no_answer": "No Answer", "voicemail": "Left Voicemail",
                "busy": "Busy", "other": "Other"}
INTEGRATION_USER = "integration@crm-kpi.sandbox"


def _ms(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    value = value.astimezone(timezone.utc)
    return value.replace(microsecond=(value.microsecond // 1000) * 1000, tzinfo=timezone.utc)


def _rows(org: Any, table: str) -> Iterator[Row]:
    frame = org.tables.get(table)
    return iter(frame.to_dicts()) if frame is not None else iter(())


def _stamps(row: Row, created: datetime | None = None) -> Row:
    modified = _ms(row.get("modified_at"))
    return {"Id": row["id"], "IsDeleted": bool(row.get("deleted")), "CreatedDate": _ms(created) or modified,
            "SystemModstamp": modified, "LastModifiedDate": modified}


def _users(org: Any, roles: dict[str, str]) -> Iterator[Row]:
    for r in _rows(org, "users"):
        first, _, last = (r["name"] or "").rpartition(" ")
        yield {**_stamps(r, datetime.combine(r["started_at"], datetime.min.time(), timezone.utc)
                         if r.get("started_at") else None),
               "FirstName": first or None, "LastName": last or r["name"], "Email": r.get("email"),
               "Username": r.get("email") or r["id"], "IsActive": bool(r.get("active")),
               "UserRoleId": roles.get(r.get("team") or ""), "Department": r.get("team"),
               "ManagerId": r.get("manager_id"), "Start_Date__c": r.get("started_at"),
               "End_Date__c": r.get("ended_at")}


def _accounts(org: Any) -> Iterator[Row]:
    for r in _rows(org, "accounts"):
        yield {**_stamps(r, r.get("created_at")), "Name": r["name"], "OwnerId": r.get("owner_id"),
               "Industry": r.get("industry"), "Region__c": r.get("region"), "Type": "Customer",
               "CurrencyIsoCode": r.get("currency") or "USD"}


def _leads(org: Any) -> Iterator[Row]:
    for r in _rows(org, "leads"):
        converted = r.get("converted_at")
        yield {**_stamps(r, r.get("created_at")), "FirstName": r.get("first_name"),
               "LastName": r.get("last_name") or "Unknown", "Company": r.get("company") or "Unknown",
               "Email": r.get("email"), "LeadSource": r.get("lead_source"), "Status": r.get("status"),
               "OwnerId": r.get("owner_id"), "IsConverted": converted is not None,
               "ConvertedDate": converted.date() if converted else None,
               "ConvertedAccountId": r.get("converted_account_id"),
               "ConvertedOpportunityId": r.get("converted_opportunity_id")}


def _stages(org: Any) -> Iterator[Row]:
    for r in _rows(org, "stages"):
        category = "Closed" if r["is_closed"] and r["is_won"] else "Omitted" if r["is_closed"] else "Pipeline"
        yield {**_stamps(r), "MasterLabel": r["stage"], "ApiName": r["stage"], "SortOrder": r["order"],
               "DefaultProbability": round((r.get("probability") or 0) * 100), "IsClosed": r["is_closed"],
               "IsWon": r["is_won"], "IsActive": True, "ForecastCategory": CATEGORY_API[category],
               "ForecastCategoryName": category}


def _opportunities(org: Any) -> Iterator[Row]:
    for r in _rows(org, "opportunities"):
        probability = r.get("probability")
        yield {**_stamps(r, r.get("created_at")), "Name": r.get("name") or r["id"],
               "AccountId": r.get("account_id"), "OwnerId": r.get("owner_id"), "StageName": r["stage"],
               "Amount": r.get("amount_original"), "CurrencyIsoCode": r.get("currency") or "USD",
               "CloseDate": r.get("close_date"), "Type": OPPORTUNITY_TYPES.get(r.get("type") or "other"),
               "LeadSource": r.get("lead_source"),
               "ForecastCategoryName": FORECAST_NAMES.get(r.get("forecast_category") or ""),
               "Probability": None if probability is None else round(probability * 100),
               "Contract_Months__c": r.get("contract_months")}


def _history(org: Any, opportunities: dict[str, Row]) -> Iterator[Row]:
    for r in _rows(org, "stage_changes"):
        opp = opportunities.get(r["opportunity_id"], {})
        entered = _ms(r["entered_at"])
        yield {"Id": r["id"], "IsDeleted": bool(r.get("deleted")), "CreatedDate": entered,
               "SystemModstamp": entered, "OpportunityId": r["opportunity_id"], "StageName": r["stage"],
               "Amount": opp.get("Amount"), "CloseDate": opp.get("CloseDate")}


def _activity(r: Row) -> Row:
    occurred = _ms(r["occurred_at"])
    base = {**_stamps(r, occurred), "OwnerId": r.get("owner_id"), "WhoId": r.get("lead_id"),
            "WhatId": r.get("opportunity_id") or r.get("account_id"), "Subject": (r.get("subtype") or r["kind"])}
    if r["kind"] == "meeting":
        minutes = round((r.get("duration_seconds") or 1800) / 60)
        return {**base, "StartDateTime": occurred, "DurationInMinutes": minutes,
                "Type": r.get("subtype") or "Meeting"}
    subtype = {"call": "Call", "email": "Email"}.get(r["kind"], "Task")
    call = r["kind"] == "call"
    return {**base, "TaskSubtype": subtype, "Type": subtype if subtype != "Task" else "Other",
            "Status": "Completed" if r.get("completed") else "Not Started", "ActivityDate": occurred.date(),
            "CallDurationInSeconds": round(r["duration_seconds"]) if call and r.get("duration_seconds") else None,
            "CallDisposition": CALL_RESULTS.get(r.get("outcome") or "") if call else None,
            "CallType": (r.get("direction") or "outbound").capitalize() if call else None}


def render_org(org: Any, clock: Callable[[], datetime] | None = None) -> Store:
    """A store holding `org` (a generator Org; None gives an org with just the integration user)."""
    store = Store(clock=clock) if clock else Store()
    admin = store.load("User", [{"FirstName": "Integration", "LastName": "User", "Email": INTEGRATION_USER,
                                 "Username": INTEGRATION_USER, "IsActive": True, "Department": "IT"}])[0]
    store.api_user_id = admin
    store.load("PermissionSet", [{"Name": "Sales_Ops", "Label": "Sales Ops", "IsOwnedByProfile": False}])
    if org is None:
        store.load("OpportunityStage", _default_stages())
        return store
    teams = sorted({r["team"] for r in _rows(org, "users") if r.get("team")})
    role_ids = store.load("UserRole", [{"Name": t, "DeveloperName": t.replace(" ", "_")} for t in teams])
    store.load("User", _users(org, dict(zip(teams, role_ids))))
    store.load("CurrencyType", [{"IsoCode": r["iso_code"], "ConversionRate": r["rate"], "IsActive": True,
                                 "IsCorporate": r["is_corporate"], "DecimalPlaces": 2}
                                for r in _rows(org, "currencies")])
    store.load("Product2", [{"Id": r["id"], "Name": r["name"], "Family": r.get("family"), "IsActive": True}
                            for r in _rows(org, "products")])
    store.load("OpportunityStage", _stages(org))
    store.load("Account", _accounts(org))
    opportunities = list(_opportunities(org))
    store.load("Opportunity", opportunities)
    store.load("OpportunityHistory", _history(org, {o["Id"]: o for o in opportunities}))
    store.load("Lead", _leads(org))
    activities = [_activity(r) for r in _rows(org, "activities") if r["kind"] != "note"]
    store.load("Task", [a for a in activities if "TaskSubtype" in a])
    store.load("Event", [a for a in activities if "TaskSubtype" not in a])
    store.load("OpportunityLineItem", [
        {**_stamps(r), "OpportunityId": r["opportunity_id"], "Product2Id": r.get("product_id"),
         "Quantity": r.get("quantity"), "UnitPrice": r.get("unit_price"), "TotalPrice": r.get("total_price")}
        for r in _rows(org, "line_items")])
    store.load("ForecastingQuota", [{"QuotaOwnerId": r["owner"], "StartDate": r["period_start"],
                                     "QuotaAmount": r["amount"]} for r in _rows(org, "quotas")])
    return store


def _default_stages() -> list[Row]:
    table = [("Prospecting", 10, False, False, "Pipeline"), ("Qualification", 20, False, False, "Pipeline"),
             ("Proposal/Price Quote", 75, False, False, "BestCase"), ("Negotiation/Review", 90, False, False,
                                                                       "Forecast"),
             ("Closed Won", 100, True, True, "Closed"), ("Closed Lost", 0, True, False, "Omitted")]
    names = {v: k for k, v in CATEGORY_API.items()}
    return [{"MasterLabel": n, "ApiName": n, "SortOrder": i + 1, "DefaultProbability": p, "IsClosed": c,
             "IsWon": w, "IsActive": True, "ForecastCategory": f, "ForecastCategoryName": names[f]}
            for i, (n, p, c, w, f) in enumerate(table)]
