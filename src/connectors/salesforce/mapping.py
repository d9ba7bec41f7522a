"""Pure normalisers: one Salesforce row (as REST returns it) -> one `kpi_engine.schema` record.

A normaliser raises `Unmappable` (or the schema's `ValidationError`) for a row it cannot turn into a
record; the connector quarantines the row with that reason and goes on. Deleted rows (queryAll,
`IsDeleted`) become tombstones. Values are read as the real API gives them: Probability 0–100, amounts in
the record's currency, dates `YYYY-MM-DD`, datetimes `...T...000+0000`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from connectors.salesforce.currency import MissingRate, Rates
from connectors.salesforce.keyset import parse_stamp
from kpi_engine import schema
from kpi_engine.schema import Record

Row = Mapping[str, Any]
NON_SALES_USER_TYPES = frozenset(
    {
        "AutomatedProcess",
        "CloudIntegrationUser",
        "CsnOnly",
        "Guest",
        "CspLitePortal",
        "SelfService",
        "CustomerSuccess",
        "PowerCustomerSuccess",
        "LicenseManager",
    }
)
"""User types that never sell: automation, integrations, portal and guest users."""
# Standard key prefixes: a polymorphic WhatId / WhoId points at one of these objects.
OPPORTUNITY_PREFIX, ACCOUNT_PREFIX, LEAD_PREFIX = "006", "001", "00Q"
QUOTA_MONTHS = 3
"""ForecastingQuota carries only its start: periods are the org's forecast period, a quarter by default."""


class Unmappable(ValueError):
    """The row cannot be normalised; the message is the quarantine reason."""


@dataclass
class MappingContext:
    """What normalisers need beyond the row: settings, the org's rates, who is not a rep, and now."""

    reporting_currency: str = "USD"
    field_mapping: Mapping[str, str] = field(default_factory=dict)
    rates: Rates = field(default_factory=Rates)
    integration_user_id: str | None = None
    excluded_profiles: frozenset[str] = frozenset()
    now: datetime = field(default_factory=lambda: datetime.now(UTC))

    def mapped(self, row: Row, key: str) -> Any:
        name = self.field_mapping.get(key)
        return value_at(row, name) if name else None


def value_at(row: Row, path: str) -> Any:
    """`Owner.UserRole.Name` through nested relationship objects (None when any step is null)."""
    value: Any = row
    for part in path.split("."):
        if not isinstance(value, Mapping):
            return None
        value = value.get(part)
    return value


def _date(value: Any) -> date | None:
    return date.fromisoformat(str(value)[:10]) if value else None


def _stamp(value: Any) -> datetime | None:
    return parse_stamp(value) if isinstance(value, str) and value else None


def _base(row: Row) -> dict[str, Any]:
    """Datetimes stay text: the schema parses Salesforce's `...000+0000` itself (once, not twice)."""
    return {
        "source": "salesforce",
        "id": row["Id"],
        "deleted": bool(row.get("IsDeleted")),
        "modified_at": row.get("SystemModstamp"),
    }


def _prefixed(value: Any, prefix: str) -> str | None:
    return value if isinstance(value, str) and value.startswith(prefix) else None


def is_sales_user(row: Row, ctx: MappingContext) -> bool:
    """Not the integration user itself, not an excluded profile, not an automated / API-only / portal type."""
    if ctx.integration_user_id and row["Id"][:15] == ctx.integration_user_id[:15]:
        return False
    if value_at(row, "Profile.Name") in ctx.excluded_profiles:
        return False
    return row.get("UserType") not in NON_SALES_USER_TYPES


def user(row: Row, ctx: MappingContext) -> Record:
    """A non-sales user becomes a tombstone, so a user who turns into one also leaves the store."""
    created = _date(row.get("CreatedDate"))
    return schema.User.model_validate(
        _base(row)
        | {
            "deleted": bool(row.get("IsDeleted")) or not is_sales_user(row, ctx),
            "name": row.get("Name"),
            "email": row.get("Email"),
            "active": bool(row.get("IsActive", True)),
            "team": ctx.mapped(row, "user.team") or value_at(row, "UserRole.Name"),
            "manager_id": row.get("ManagerId"),
            "started_at": _date(ctx.mapped(row, "user.started_at")) or created,
            "ended_at": _date(ctx.mapped(row, "user.ended_at")),
        }
    )


def account(row: Row, ctx: MappingContext) -> Record:
    return schema.Account.model_validate(
        _base(row)
        | {
            "name": row.get("Name"),
            "owner_id": row.get("OwnerId"),
            "created_at": row.get("CreatedDate"),
            "industry": ctx.mapped(row, "account.industry") or row.get("Industry"),
            "region": ctx.mapped(row, "account.region"),
        }
    )


def lead(row: Row, ctx: MappingContext) -> Record:
    converted = _date(row.get("ConvertedDate")) if row.get("IsConverted") else None
    return schema.Lead.model_validate(
        _base(row)
        | {
            "owner_id": row.get("OwnerId"),
            "created_at": row.get("CreatedDate"),
            "lead_source": row.get("LeadSource"),
            "crm": "salesforce",
            "status": row.get("Status"),
            "converted_at": datetime.combine(converted, datetime.min.time(), UTC) if converted else None,
            "converted_account_id": row.get("ConvertedAccountId"),
            "converted_opportunity_id": row.get("ConvertedOpportunityId"),
        }
    )


def opportunity_type(value: str | None) -> str:
    """Salesforce's default Type picklist (and common custom values) -> the schema's four types."""
    text = (value or "").lower()
    if text == "new business" or text == "new customer":
        return "new_business"
    if "renewal" in text:
        return "renewal"
    if any(word in text for word in ("upgrade", "upsell", "expansion", "add-on", "cross-sell")):
        return "expansion"
    return "other"


def opportunity(row: Row, ctx: MappingContext) -> Record:
    close = _date(row.get("CloseDate"))
    amount, currency = row.get("Amount"), row.get("CurrencyIsoCode") or ctx.reporting_currency
    try:
        converted = ctx.rates.convert(amount, currency, ctx.reporting_currency, close)
    except MissingRate as error:
        raise Unmappable(f"Amount {amount} {currency}: {error}") from None
    probability = row.get("Probability")
    months = ctx.mapped(row, "opportunity.contract_months")
    return schema.Opportunity.model_validate(
        _base(row)
        | {
            "name": row.get("Name"),
            "account_id": row.get("AccountId"),
            "owner_id": row.get("OwnerId"),
            "pipeline": ctx.mapped(row, "opportunity.pipeline") or value_at(row, "RecordType.Name"),
            "stage": row.get("StageName"),
            "probability": None if probability is None else float(probability) / 100,
            "forecast_category": row.get("ForecastCategoryName"),
            "type": opportunity_type(row.get("Type")),
            "lead_source": row.get("LeadSource"),
            "amount": converted,
            "amount_original": amount,
            "currency": currency,
            "created_at": row.get("CreatedDate"),
            "close_date": close,
            "is_closed": bool(row.get("IsClosed")),
            "is_won": bool(row.get("IsWon")),
            "contract_months": round(float(months)) if months not in (None, "") else None,
        }
    )


def stage_change(row: Row, ctx: MappingContext) -> Record:
    """Every OpportunityHistory row: a stage entry, or a change of amount/date/probability in the same
    stage (the real API gives no previous stage; consecutive rows of one stage are one visit)."""
    return schema.StageChange.model_validate(
        _base(row)
        | {
            "opportunity_id": row.get("OpportunityId"),
            "stage": row.get("StageName"),
            "entered_at": row.get("CreatedDate"),
        }
    )


def stage(row: Row, ctx: MappingContext) -> Record:
    probability = row.get("DefaultProbability")
    return schema.PipelineStage.model_validate(
        _base(row)
        | {
            "deleted": bool(row.get("IsDeleted")) or row.get("IsActive") is False,
            "pipeline": None,
            "stage": row.get("ApiName") or row.get("MasterLabel"),
            "order": row.get("SortOrder"),
            "probability": None if probability is None else float(probability) / 100,
            "is_closed": bool(row.get("IsClosed")),
            "is_won": bool(row.get("IsWon")),
            "forecast_category": row.get("ForecastCategoryName"),
        }
    )


TASK_KINDS = {
    "Call": "call",
    "Email": "email",
    "ListEmail": "email",
    "Task": "task",
    "Cadence": "task",
    "LinkedIn": "task",
}
TYPE_KINDS = {"call": "call", "email": "email", "meeting": "meeting", "send letter": "task"}


def call_outcome(disposition: str | None) -> str | None:
    """CallDisposition is free text in Salesforce; the common wordings map, anything else is `other`."""
    if not disposition:
        return None
    text = disposition.lower()
    for words, outcome in (
        (("no answer", "no-answer", "unanswered"), "no_answer"),
        (("voicemail", "voice mail", "left message"), "voicemail"),
        (("busy",), "busy"),
        (("connected", "answered", "reached"), "connected"),
    ):
        if any(word in text for word in words):
            return outcome
    return "other"


def _activity(row: Row, kind: str, occurred: datetime | str | None, **values: Any) -> Record:
    what = row.get("WhatId")
    return schema.Activity.model_validate(
        _base(row)
        | {
            "kind": kind,
            "owner_id": row.get("OwnerId"),
            "occurred_at": occurred,
            "opportunity_id": _prefixed(what, OPPORTUNITY_PREFIX),
            "account_id": _prefixed(what, ACCOUNT_PREFIX),
            "lead_id": _prefixed(row.get("WhoId"), LEAD_PREFIX),
        }
        | values
    )


def task(row: Row, ctx: MappingContext) -> Record:
    """TaskSubtype decides the kind (an old Task without one falls back to Type); a call's disposition is
    its outcome. A call or email happened when it was logged (CreatedDate); a to-do when it was completed
    (CompletedDateTime), else on its due date."""
    subtype = row.get("TaskSubtype")
    kind = TASK_KINDS.get(subtype or "") or TYPE_KINDS.get(str(row.get("Type") or "").lower(), "task")
    occurred: datetime | str | None = row.get("CreatedDate")
    if kind == "task":
        due = _date(row.get("ActivityDate"))
        occurred = (_stamp(row.get("CompletedDateTime")) if row.get("IsClosed") else None) or (
            datetime.combine(due, datetime.min.time(), UTC) if due else occurred
        )
    direction = str(row.get("CallType") or "").lower()
    return _activity(
        row,
        kind,
        occurred,
        subtype=row.get("Type") or subtype,
        completed=bool(row.get("IsClosed")),
        duration_seconds=row.get("CallDurationInSeconds"),
        outcome=call_outcome(row.get("CallDisposition")) if kind == "call" else None,
        direction=direction if direction in ("inbound", "outbound") else None,
    )


def event(row: Row, ctx: MappingContext) -> Record:
    """A meeting is held (completed) once its end is in the past; Salesforce has no status for events."""
    start = (
        _stamp(row.get("StartDateTime"))
        or _stamp(row.get("ActivityDateTime"))
        or _stamp(row.get("CreatedDate"))
    )
    minutes = row.get("DurationInMinutes")
    end = _stamp(row.get("EndDateTime")) or (
        start + timedelta(minutes=minutes) if start and minutes else start
    )
    return _activity(
        row,
        "meeting",
        start,
        subtype=row.get("Type"),
        duration_seconds=None if minutes is None else float(minutes) * 60,
        completed=end is not None and end <= ctx.now,
    )


def line_item(row: Row, ctx: MappingContext) -> Record:
    return schema.LineItem.model_validate(
        _base(row)
        | {
            "opportunity_id": row.get("OpportunityId"),
            "product_id": row.get("Product2Id"),
            "product_name": value_at(row, "Product2.Name"),
            "product_family": value_at(row, "Product2.Family"),
            "quantity": row.get("Quantity"),
            "unit_price": row.get("UnitPrice"),
            "total_price": row.get("TotalPrice"),
        }
    )


def currency_type(row: Row, ctx: MappingContext) -> Mapping[str, Any]:
    return _base(row) | {
        "iso_code": row["IsoCode"],
        "rate": row.get("ConversionRate"),
        "start_date": None,
        "end_date": None,
        "is_corporate": bool(row.get("IsCorporate")),
    }


def dated_rate(row: Row, ctx: MappingContext) -> Mapping[str, Any]:
    return _base(row) | {
        "iso_code": row["IsoCode"],
        "rate": row.get("ConversionRate"),
        "start_date": _date(row.get("StartDate")),
        "end_date": _date(row.get("NextStartDate")),
        "is_corporate": False,
    }


def quota(row: Row, ctx: MappingContext) -> Mapping[str, Any]:
    start = _date(row.get("StartDate"))
    if start is None:
        raise Unmappable("ForecastingQuota without StartDate")
    month = start.month - 1 + QUOTA_MONTHS
    end = date(start.year + month // 12, month % 12 + 1, 1) if start.day == 1 else start + timedelta(days=91)
    amount, currency = row.get("QuotaAmount"), row.get("CurrencyIsoCode") or ctx.reporting_currency
    try:
        converted = ctx.rates.convert(amount, currency, ctx.reporting_currency, start)
    except MissingRate as error:
        raise Unmappable(f"QuotaAmount {amount} {currency}: {error}") from None
    checked = schema.Quota.model_validate(
        {"owner": row.get("QuotaOwnerId"), "period_start": start, "period_end": end, "amount": converted}
    )
    return _base(row) | checked.model_dump() | {"amount_original": amount, "currency": currency}


NORMALISERS: dict[str, Callable[[Row, MappingContext], Record | Mapping[str, Any]]] = {
    "user": user,
    "account": account,
    "lead": lead,
    "opportunity": opportunity,
    "stage_change": stage_change,
    "stage": stage,
    "task": task,
    "event": event,
    "line_item": line_item,
    "currency_type": currency_type,
    "dated_rate": dated_rate,
    "quota": quota,
}


RECORD_MODELS: dict[str, type[Record]] = {
    "user": schema.User,
    "account": schema.Account,
    "lead": schema.Lead,
    "opportunity": schema.Opportunity,
    "stage_change": schema.StageChange,
    "stage": schema.PipelineStage,
    "task": schema.Activity,
    "event": schema.Activity,
    "line_item": schema.LineItem,
}


def bare_tombstone(normaliser: str, row: Row) -> Record | None:
    """For a deleted row that does not validate, a record carrying only the delete (id, stamp, deleted)."""
    model = RECORD_MODELS.get(normaliser)
    if model is None or not row.get("IsDeleted") or not row.get("Id") or not row.get("SystemModstamp"):
        return None
    try:
        stamp = parse_stamp(str(row["SystemModstamp"]))
    except ValueError:
        return None
    return model.model_construct(source="salesforce", id=row["Id"], deleted=True, modified_at=stamp)
