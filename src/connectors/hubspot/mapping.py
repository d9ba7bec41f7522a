"""Pure mappers: a HubSpot record (as the API returns it) → shared-schema records.

A mapper takes the record `{id, properties, createdAt, updatedAt, archived, archivedAt?}` with the
`associations` the extractor read for it (`{"companies": ["123"], ...}`, ids ascending) and the run's
`MappingContext`. It returns records, or raises `pydantic.ValidationError` / `Unmappable`, which the
extractor turns into a quarantined row with the reason. An archived record maps like a live one with
`deleted=True` (a tombstone carrying its last values).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any, Final

from connectors.hubspot.context import MappingContext, StageInfo
from connectors.hubspot.values import day, flag, ident, instant, number, text
from kpi_engine.schema import (
    Account,
    Lead,
    LineItem,
    Opportunity,
    PipelineStage,
    Quota,
    Record,
    StageChange,
    User,
)

SOURCE: Final = "hubspot"
STAGE_ENTERED = "hs_v2_date_entered_"

# HubSpot's "Original source" codes and the labels its UI shows for them.
TRAFFIC_SOURCES = {
    "ORGANIC_SEARCH": "Organic Search",
    "PAID_SEARCH": "Paid Search",
    "EMAIL_MARKETING": "Email Marketing",
    "SOCIAL_MEDIA": "Organic Social",
    "REFERRALS": "Referrals",
    "OTHER_CAMPAIGNS": "Other Campaigns",
    "DIRECT_TRAFFIC": "Direct Traffic",
    "OFFLINE": "Offline Sources",
    "PAID_SOCIAL": "Paid Social",
    "AI_REFERRALS": "AI Referrals",
}
# dealtype (and, for existing business, the renewal type where the portal has one) → Opportunity.type.
DEAL_TYPES = {"newbusiness": "new_business", "existingbusiness": "expansion"}
RENEWAL_TYPES = {"renewal": "renewal", "expansion": "expansion"}
# Lifecycle dates that mean a contact turned into a deal (the earliest one present counts).
CONVERSION_DATES = ("hs_lifecyclestage_opportunity_date", "hs_lifecyclestage_customer_date")


class Unmappable(ValueError):
    """A record that cannot become a schema record; the message is the quarantine reason."""


def props(row: Mapping[str, Any]) -> Mapping[str, Any]:
    return row.get("properties") or {}


def first(row: Mapping[str, Any], to_type: str) -> str | None:
    """The first associated id of a type (the primary one comes first where HubSpot labels one)."""
    ids = (row.get("associations") or {}).get(to_type) or []
    return ids[0] if ids else None


def base(row: Mapping[str, Any]) -> dict[str, Any]:
    """The fields every record has; an archived record is a tombstone modified when it was archived."""
    p = props(row)
    archived = bool(row.get("archived"))
    modified = (
        (instant(row.get("archivedAt")) if archived else None)
        or instant(row.get("updatedAt"))
        or instant(p.get("hs_lastmodifieddate"))
        or instant(p.get("lastmodifieddate"))
    )
    return {
        "source": SOURCE,
        "id": ident(row.get("id")) or ident(p.get("hs_object_id")),
        "deleted": archived,
        "modified_at": modified,
    }


def created(row: Mapping[str, Any]) -> datetime | None:
    p = props(row)
    return instant(p.get("createdate")) or instant(p.get("hs_createdate")) or instant(row.get("createdAt"))


def source_label(code: object) -> str | None:
    raw = text(code)
    return TRAFFIC_SOURCES.get(raw, raw) if raw else None


# -- directory: owners and pipelines --------------------------------------------------------------
def map_owner(row: Mapping[str, Any], ctx: MappingContext) -> User:
    """An owner (`/crm/v3/owners`): an archived owner is a user who left, not a deleted record."""
    teams = row.get("teams") or []
    team = next((t for t in teams if t.get("primary")), teams[0] if teams else None)
    name = " ".join(x for x in (text(row.get("firstName")), text(row.get("lastName"))) if x) or text(
        row.get("email")
    )
    archived = bool(row.get("archived"))
    updated = instant(row.get("updatedAt"))
    return User.model_validate(
        {
            "source": SOURCE,
            "id": ident(row.get("id")),
            "modified_at": updated,
            "name": name,
            "email": text(row.get("email")),
            "active": not archived,
            "team": text(team.get("name")) if team else None,
            "started_at": day(row.get("createdAt")),
            "ended_at": updated.date() if archived and updated else None,
        }
    )


def stage_info(pipeline: Mapping[str, Any], stage: Mapping[str, Any]) -> StageInfo:
    """A stage's metadata (strings on the wire): closed won is a closed stage with probability 1."""
    meta = stage.get("metadata") or {}
    probability = number(meta.get("probability"))
    closed = flag(meta.get("isClosed")) or False
    return StageInfo(
        pipeline=str(pipeline["id"]),
        stage_id=str(stage["id"]),
        label=str(stage.get("label")),
        order=int(stage.get("displayOrder") or 0),
        probability=probability,
        is_closed=closed,
        is_won=closed and probability == 1.0,
    )


def map_stage(pipeline: Mapping[str, Any], stage: Mapping[str, Any]) -> PipelineStage:
    info = stage_info(pipeline, stage)
    return PipelineStage.model_validate(
        {
            "source": SOURCE,
            "id": info.stage_id,
            "modified_at": instant(stage.get("updatedAt")),
            "deleted": bool(stage.get("archived")),
            "pipeline": info.pipeline,
            "stage": info.label,
            "order": info.order,
            "probability": info.probability,
            "is_closed": info.is_closed,
            "is_won": info.is_won,
        }
    )


# -- CRM objects ------------------------------------------------------------------------------------
def map_company(row: Mapping[str, Any], ctx: MappingContext) -> Account:
    p = props(row)
    region = text(p.get(ctx.property_for("account.region", "region"))) or text(p.get("country"))
    return Account.model_validate(
        dict(
            **base(row),
            name=text(p.get("name")) or text(p.get("domain")) or f"Company {row.get('id')}",
            owner_id=ident(p.get("hubspot_owner_id")),
            created_at=created(row),
            industry=text(p.get("industry")),
            region=region,
        )
    )


def map_contact(row: Mapping[str, Any], ctx: MappingContext) -> Lead:
    """A contact as a lead: converted when it reached the opportunity (or customer) lifecycle stage."""
    p = props(row)
    dates = [d for d in (instant(p.get(name)) for name in CONVERSION_DATES) if d is not None]
    converted = min(dates) if dates else None
    return Lead.model_validate(
        dict(
            **base(row),
            owner_id=ident(p.get("hubspot_owner_id")),
            created_at=created(row),
            lead_source=source_label(p.get("hs_analytics_source")),
            status=text(p.get("hs_lead_status")),
            converted_at=converted,
            converted_account_id=(ident(p.get("associatedcompanyid")) or first(row, "companies"))
            if converted
            else None,
            converted_opportunity_id=first(row, "deals") if converted else None,
        )
    )


def deal_type(p: Mapping[str, Any]) -> str:
    kind = text(p.get("dealtype"))
    if kind == "existingbusiness":
        return RENEWAL_TYPES.get(text(p.get("hs_deal_renewal_type")) or "", DEAL_TYPES[kind])
    return DEAL_TYPES.get(kind or "", "other")


def amounts(p: Mapping[str, Any], ctx: MappingContext) -> tuple[float | None, float | None, str]:
    """(amount in the reporting currency, amount in the deal's currency, the deal's currency).

    HubSpot converts every deal into the company currency itself (`amount_in_home_currency`, at the
    portal's dated rates): that is the reporting amount when the company currency is the reporting one.
    """
    original = number(p.get("amount"))
    home = ctx.home_currency or ctx.reporting_currency
    currency = text(p.get("deal_currency_code")) or home
    if original is None or currency == ctx.reporting_currency:
        return original, original, currency
    converted = number(p.get("amount_in_home_currency"))
    if home != ctx.reporting_currency or converted is None:
        raise Unmappable(
            f"amount {original} {currency} cannot be converted to {ctx.reporting_currency}: the "
            f"portal's amount_in_home_currency is {'in ' + home if converted is not None else 'unset'}"
        )
    return converted, original, currency


def map_deal(row: Mapping[str, Any], ctx: MappingContext) -> list[Record]:
    """A deal and the stages it entered (`hs_v2_date_entered_<stage>`: the latest entry of each stage)."""
    p = props(row)
    pipeline, stage_id = text(p.get("pipeline")), text(p.get("dealstage"))
    stage = ctx.stage(pipeline, stage_id)
    amount, original, currency = amounts(p, ctx)
    closed = flag(p.get("hs_is_closed"))
    won = flag(p.get("hs_is_closed_won"))
    probability = number(p.get("hs_deal_stage_probability"))
    months = number(p.get(ctx.property_for("opportunity.contract_months", "contract_length_months")))
    common = base(row)
    deal = Opportunity.model_validate(
        dict(
            **common,
            name=text(p.get("dealname")),
            account_id=first(row, "companies"),
            owner_id=ident(p.get("hubspot_owner_id")),
            pipeline=pipeline or (stage.pipeline if stage else None),
            stage=stage.label if stage else stage_id,
            probability=probability if probability is not None else (stage.probability if stage else None),
            forecast_category=text(p.get("hs_forecast_category"))
            or text(p.get("hs_manual_forecast_category")),
            type=deal_type(p),
            lead_source=source_label(p.get("hs_analytics_source")),
            amount=amount,
            amount_original=original,
            currency=currency,
            created_at=created(row),
            close_date=day(p.get("closedate")),
            is_closed=closed if closed is not None else bool(stage and stage.is_closed),
            is_won=won if won is not None else bool(stage and stage.is_won),
            contract_months=int(months) if months else None,
        )
    )
    out: list[Record] = [deal]
    for name, value in p.items():
        if name.startswith(STAGE_ENTERED) and value:
            entered_stage = ctx.stage(deal.pipeline, name[len(STAGE_ENTERED) :])
            entered = instant(value)
            if entered is None:
                continue
            # Every value here is already checked (the deal validated, `entered` a UTC instant): building
            # the record without validating again halves the cost of a deal with its history.
            out.append(
                StageChange.model_construct(
                    source=SOURCE,
                    id=f"{deal.id}:{name[len(STAGE_ENTERED) :]}",
                    deleted=common["deleted"],
                    modified_at=deal.modified_at,
                    opportunity_id=deal.id,
                    stage=entered_stage.label if entered_stage else name[len(STAGE_ENTERED) :],
                    entered_at=entered,
                )
            )
    return out


def map_line_item(row: Mapping[str, Any], ctx: MappingContext) -> LineItem:
    p = props(row)
    deal = first(row, "deals")
    if deal is None and not row.get("archived"):
        raise Unmappable("line item is associated with no deal")
    return LineItem.model_validate(
        dict(
            **base(row),
            opportunity_id=deal or "",
            product_id=ident(p.get("hs_product_id")),
            product_name=text(p.get("name")),
            product_family=text(p.get(ctx.property_for("line_item.product_family", "product_family"))),
            quantity=number(p.get("quantity")),
            unit_price=number(p.get("price")),
            total_price=number(p.get("amount")),
        )
    )


def map_goal_target(row: Mapping[str, Any], ctx: MappingContext) -> dict[str, Any]:
    """A goal target as a quota row: its assignee's owner id, [start, end) with the end made exclusive
    (HubSpot stores the goal's last millisecond)."""
    p = props(row)
    user = ident(p.get("hs_assignee_user_id"))
    owner = ctx.owner_of_user.get(user or "")
    if owner is None:
        raise Unmappable(f"goal target assignee user {user} is no owner of this portal")
    start, end = instant(p.get("hs_start_datetime")), instant(p.get("hs_end_datetime"))
    if start is None or end is None:
        raise Unmappable("goal target without hs_start_datetime / hs_end_datetime")
    end_day = (end + timedelta(milliseconds=1)).date() if end.time() != datetime.min.time() else end.date()
    quota = Quota.model_validate(
        {
            "owner": owner,
            "period_start": start.date(),
            "period_end": end_day,
            "amount": p.get("hs_target_amount"),
        }
    )
    return {**base(row), **quota.model_dump()}


def as_list(mapped: Record | Mapping[str, Any] | Sequence[Record]) -> list[Record | Mapping[str, Any]]:
    if isinstance(mapped, Record | Mapping):
        return [mapped]
    return list(mapped)
