"""The large objects of a rendered org (accounts, opportunities and their history, leads, activities, line
items), built column-wise from the generator's frames: each native column is computed vectorised, then
`Store.load_columns` materialises the records once. Row by row, a medium org took ~20 s to render.

The mapping is the one in docs/sandbox-salesforce.md; small objects (users, stages, ...) stay row-wise in
`sandbox.salesforce.org`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import polars as pl

from sandbox.frame_columns import python_values, utc_datetimes

Columns = dict[str, list[Any]]
OPPORTUNITY_TYPES = {"new_business": "New Business", "renewal": "Existing Customer - Renewal",
                     "expansion": "Existing Customer - Upgrade", "other": None}
FORECAST_NAMES = {"pipeline": "Pipeline", "best_case": "Best Case", "commit": "Commit", "closed": "Closed",
                  "omitted": "Omitted"}
CALL_RESULTS = {"connected": "Connected", "no_answer": "No Answer", "voicemail": "Left Voicemail",
                "busy": "Busy", "other": "Other"}
TASK_SUBTYPES = {"call": "Call", "email": "Email"}  # every other non-meeting kind is a plain Task


def _mapped(column: pl.Expr, mapping: dict[str, str | None], default: str | None = None) -> pl.Expr:
    return column.replace_strict(mapping, default=default, return_dtype=pl.String)


def _stamps(frame: pl.DataFrame, created: str | None) -> Columns:
    """Id, IsDeleted and the audit dates; CreatedDate falls back to the last modification."""
    modified = utc_datetimes(frame["modified_at"])
    created_at = modified
    if created is not None:
        created_at = [c or m for c, m in zip(utc_datetimes(frame[created]), modified, strict=False)]
    return {"Id": frame["id"].to_list(), "IsDeleted": frame["deleted"].fill_null(False).to_list(),
            "CreatedDate": created_at, "SystemModstamp": modified, "LastModifiedDate": modified}


def _columns(frame: pl.DataFrame, exprs: dict[str, pl.Expr]) -> Columns:
    built = frame.select(**exprs) if exprs else pl.DataFrame()
    return {name: python_values(built[name]) for name in exprs}


def accounts(frame: pl.DataFrame) -> Columns:
    return _stamps(frame, "created_at") | _columns(frame, {
        "Name": pl.col("name"), "OwnerId": pl.col("owner_id"), "Industry": pl.col("industry"),
        "Region__c": pl.col("region"), "Type": pl.lit("Customer"),
        "CurrencyIsoCode": pl.col("currency").fill_null("USD")})


def leads(frame: pl.DataFrame) -> Columns:
    converted = pl.col("converted_at")
    return _stamps(frame, "created_at") | _columns(frame, {
        "FirstName": pl.col("first_name"), "LastName": pl.col("last_name").fill_null("Unknown"),
        "Company": pl.col("company").fill_null("Unknown"), "Email": pl.col("email"),
        "LeadSource": pl.col("lead_source"), "Status": pl.col("status"), "OwnerId": pl.col("owner_id"),
        "IsConverted": converted.is_not_null(),
        "ConvertedDate": converted.dt.convert_time_zone("UTC").dt.date(),
        "ConvertedAccountId": pl.col("converted_account_id"),
        "ConvertedOpportunityId": pl.col("converted_opportunity_id")})


def opportunities(frame: pl.DataFrame) -> Columns:
    columns = _stamps(frame, "created_at") | _columns(frame, {
        "Name": pl.coalesce("name", "id"), "AccountId": pl.col("account_id"), "OwnerId": pl.col("owner_id"),
        "StageName": pl.col("stage"), "Amount": pl.col("amount_original"),
        "CurrencyIsoCode": pl.col("currency").fill_null("USD"), "CloseDate": pl.col("close_date"),
        "Type": _mapped(pl.col("type").fill_null("other"), OPPORTUNITY_TYPES),
        "LeadSource": pl.col("lead_source"),
        "ForecastCategoryName": _mapped(pl.col("forecast_category"), FORECAST_NAMES),
        "Contract_Months__c": pl.col("contract_months")})
    # Python's round (half to even), as the row-wise mapping used.
    columns["Probability"] = [None if p is None else round(p * 100) for p in frame["probability"].to_list()]
    return columns


def history(changes: pl.DataFrame, opportunities_frame: pl.DataFrame) -> Columns:
    """OpportunityHistory rows carry the opportunity's current amount and close date."""
    opps = opportunities_frame.select(opportunity_id="id", amount="amount_original", close="close_date")
    frame = changes.join(opps, on="opportunity_id", how="left", maintain_order="left")
    entered = utc_datetimes(frame["entered_at"])
    return {"Id": frame["id"].to_list(), "IsDeleted": frame["deleted"].fill_null(False).to_list(),
            "CreatedDate": entered, "SystemModstamp": entered} | _columns(frame, {
        "OpportunityId": pl.col("opportunity_id"), "StageName": pl.col("stage"), "Amount": pl.col("amount"),
        "CloseDate": pl.col("close")})


def _activity_base(frame: pl.DataFrame) -> tuple[Columns, list[Any]]:
    occurred = utc_datetimes(frame["occurred_at"])
    base = _stamps(frame, None)
    base["CreatedDate"] = [o or m for o, m in zip(occurred, base["SystemModstamp"], strict=False)]
    return base | _columns(frame, {
        "OwnerId": pl.col("owner_id"), "WhoId": pl.col("lead_id"),
        "WhatId": pl.coalesce("opportunity_id", "account_id"), "Subject": pl.coalesce("subtype", "kind")}), occurred


def events(frame: pl.DataFrame) -> Columns:
    base, occurred = _activity_base(frame)
    seconds = frame["duration_seconds"].fill_null(1800).fill_nan(1800).to_list()
    return base | {"StartDateTime": occurred, "DurationInMinutes": [round((s or 1800) / 60) for s in seconds]} \
        | _columns(frame, {"Type": pl.col("subtype").fill_null("Meeting")})


def tasks(frame: pl.DataFrame) -> Columns:
    base, _ = _activity_base(frame)
    call = pl.col("kind") == "call"
    subtype = _mapped(pl.col("kind"), TASK_SUBTYPES, "Task")
    columns = base | _columns(frame, {
        "TaskSubtype": subtype, "Type": pl.when(subtype == "Task").then(pl.lit("Other")).otherwise(subtype),
        "Status": pl.when(pl.col("completed")).then(pl.lit("Completed")).otherwise(pl.lit("Not Started")),
        "ActivityDate": pl.col("occurred_at").dt.convert_time_zone("UTC").dt.date(),
        "CallDisposition": pl.when(call).then(_mapped(pl.col("outcome").fill_null(""), CALL_RESULTS)),
        "CallType": pl.when(call).then(pl.col("direction").fill_null("outbound").str.to_titlecase())})
    durations = frame.select(pl.when(call & (pl.col("duration_seconds") != 0)).then("duration_seconds"))
    columns["CallDurationInSeconds"] = [None if s is None else round(s) for s in durations.to_series().to_list()]
    return columns


def line_items(frame: pl.DataFrame) -> Columns:
    return _stamps(frame, None) | _columns(frame, {
        "OpportunityId": pl.col("opportunity_id"), "Product2Id": pl.col("product_id"),
        "Quantity": pl.col("quantity"), "UnitPrice": pl.col("unit_price"), "TotalPrice": pl.col("total_price")})


def big_tables(org: Any) -> Iterator[tuple[str, Columns]]:
    """(sObject, columns) in load order; notes have no Salesforce object here."""
    tables = org.tables
    empty = pl.DataFrame()
    opps = tables.get("opportunities", empty)
    if "accounts" in tables:
        yield "Account", accounts(tables["accounts"])
    if "opportunities" in tables:
        yield "Opportunity", opportunities(opps)
    if "stage_changes" in tables:
        yield "OpportunityHistory", history(tables["stage_changes"], opps)
    if "leads" in tables:
        yield "Lead", leads(tables["leads"])
    if "activities" in tables:
        acts = tables["activities"]
        yield "Task", tasks(acts.filter(~pl.col("kind").is_in(["meeting", "note"])))
        yield "Event", events(acts.filter(pl.col("kind") == "meeting"))
    if "line_items" in tables:
        yield "OpportunityLineItem", line_items(tables["line_items"])
