"""What the connector must read back from a sandbox portal rendered from a generated org.

Each function takes the org's shared-schema table and applies what the HubSpot sandbox documents about
its rendering (docs/sandbox-hubspot.md, "From the shared schema") — the parts HubSpot can represent — so a
test can compare the extracted records with the org's, field by field. HubSpot keeps milliseconds.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import polars as pl

from sandbox.hubspot.org import LEAD_STATUS, TRAFFIC_SOURCES

# HubSpot's labels of its original-source codes (what the connector reports as lead source).
SOURCE_LABELS = {
    "DIRECT_TRAFFIC": "Direct Traffic",
    "ORGANIC_SEARCH": "Organic Search",
    "PAID_SEARCH": "Paid Search",
    "SOCIAL_MEDIA": "Organic Social",
    "EMAIL_MARKETING": "Email Marketing",
    "REFERRALS": "Referrals",
    "OFFLINE": "Offline Sources",
    "OTHER_CAMPAIGNS": "Other Campaigns",
}


def ms(moment: datetime | None) -> datetime | None:
    return None if moment is None else moment.replace(microsecond=moment.microsecond // 1000 * 1000)


def source_label(text: str | None) -> str | None:
    if not text:
        return None
    return SOURCE_LABELS[TRAFFIC_SOURCES.get(text.strip().lower(), "OTHER_CAMPAIGNS")]


def rows(org: Any, table: str) -> list[dict[str, Any]]:
    frame: pl.DataFrame = org.tables[table]
    return frame.to_dicts()


def users(org: Any) -> dict[str, dict[str, Any]]:
    """Owners: an inactive or deleted user is an archived owner, i.e. a user who is no longer active."""
    return {
        r["id"]: {
            "name": r["name"],
            "email": r["email"],
            "active": bool(r["active"]) and not r["deleted"],
            "team": r["team"],
            "started_at": r["started_at"],
            "deleted": False,
        }
        for r in rows(org, "users")
    }


def accounts(org: Any) -> dict[str, dict[str, Any]]:
    return {
        r["id"]: {
            "name": r["name"],
            "owner_id": r["owner_id"],
            "created_at": ms(r["created_at"]),
            "industry": r["industry"],
            "region": r["region"],
            "deleted": r["deleted"],
            "modified_at": ms(r["modified_at"]),
        }
        for r in rows(org, "accounts")
    }


def leads(org: Any) -> dict[str, dict[str, Any]]:
    out = {}
    for r in rows(org, "leads"):
        status = r["status"]
        out[r["id"]] = {
            "owner_id": r["owner_id"],
            "created_at": ms(r["created_at"]),
            "lead_source": source_label(r["lead_source"]),
            "status": LEAD_STATUS.get(status or "", "OPEN" if status else None),
            "converted_at": ms(r["converted_at"]),
            "converted_account_id": r["converted_account_id"],
            "converted_opportunity_id": r["converted_opportunity_id"],
            "deleted": r["deleted"],
            "modified_at": ms(r["modified_at"]),
        }
    return out


def opportunities(org: Any) -> dict[str, dict[str, Any]]:
    """A deleted deal is read from the recycle bin with its last properties but no associations (HubSpot
    drops a deleted record's associations), so its tombstone names no account."""
    return {
        r["id"]: {
            "name": r["name"],
            "account_id": None if r["deleted"] else r["account_id"],
            "owner_id": r["owner_id"],
            "pipeline": r["pipeline"] or "default",
            "stage": r["stage"],
            "probability": r["probability"],
            "forecast_category": r["forecast_category"],
            "type": r["type"],
            "lead_source": source_label(r["lead_source"]),
            "amount": r["amount"],
            "amount_original": r["amount_original"],
            "currency": r["currency"],
            "created_at": ms(r["created_at"]),
            "close_date": r["close_date"],
            "is_closed": r["is_closed"],
            "is_won": r["is_won"],
            "contract_months": r["contract_months"],
            "deleted": r["deleted"],
            "modified_at": ms(r["modified_at"]),
        }
        for r in rows(org, "opportunities")
    }


def stage_entries(org: Any) -> set[tuple[str, str, datetime | None]]:
    """(deal, stage, entered) — HubSpot's hs_v2_date_entered_<stage> keeps the latest entry of each stage."""
    latest: dict[tuple[str, str], datetime] = {}
    for r in rows(org, "stage_changes"):
        key = (r["opportunity_id"], r["stage"])
        if key not in latest or r["entered_at"] >= latest[key]:
            latest[key] = r["entered_at"]
    return {(deal, stage, ms(when)) for (deal, stage), when in latest.items()}


def stages(org: Any) -> dict[str, dict[str, Any]]:
    """Closed stages of the default pipeline keep HubSpot's ids; display order counts from 0."""
    out = {}
    for index, r in enumerate(sorted(rows(org, "stages"), key=lambda s: s["order"])):
        stage_id = ("closedwon" if r["is_won"] else "closedlost") if r["is_closed"] else r["id"]
        out[stage_id] = {
            "pipeline": r["pipeline"],
            "stage": r["stage"],
            "order": index,
            "probability": r["probability"],
            "is_closed": r["is_closed"],
            "is_won": r["is_won"],
        }
    return out


def activities(org: Any) -> dict[str, dict[str, Any]]:
    """Durations only where HubSpot has them (calls, meetings), types where it has them (calls,
    meetings), opens on emails."""
    out = {}
    for r in rows(org, "activities"):
        kind = r["kind"]
        out[r["id"]] = {
            "kind": kind,
            "owner_id": r["owner_id"],
            "occurred_at": ms(r["occurred_at"]),
            "completed": bool(r["completed"]) if kind != "note" else True,
            "outcome": r["outcome"] if kind == "call" else None,
            "direction": (r["direction"] or "outbound")
            if kind == "email"
            else (r["direction"] if kind == "call" else None),
            "opened": r["opened"] if kind == "email" else None,
            "duration_seconds": round(r["duration_seconds"] or 0, 3) if kind in ("call", "meeting") else None,
            # a task's type is HubSpot's task type (the sandbox's tasks are all TODO); the org's task
            # subtype is only the task's subject there
            "subtype": r["subtype"] if kind in ("call", "meeting") else ("TODO" if kind == "task" else None),
            # a deleted engagement's tombstone has lost its associations, as a deleted deal's has
            **{
                key: None if r["deleted"] else (r[key] or None)
                for key in ("opportunity_id", "account_id", "lead_id")
            },
            "deleted": r["deleted"],
            "modified_at": ms(r["modified_at"]),
        }
    return out


def line_items(org: Any) -> dict[str, dict[str, Any]]:
    """A deleted line item (of a deleted deal) has lost its deal association: its tombstone names none."""
    return {
        r["id"]: {
            "opportunity_id": "" if r["deleted"] else r["opportunity_id"],
            "product_id": r["product_id"],
            "product_name": r["product_name"],
            "product_family": r["product_family"],
            "quantity": r["quantity"],
            "unit_price": r["unit_price"],
            "total_price": round(r["total_price"], 2),
            "deleted": r["deleted"],
        }
        for r in rows(org, "line_items")
    }


def quotas(org: Any) -> list[tuple[str, Any, Any, float]]:
    return sorted((r["owner"], r["period_start"], r["period_end"], r["amount"]) for r in rows(org, "quotas"))


def actual(records: dict[str, Any], fields: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The extracted records reduced to the fields the expectation names."""
    any_expected = next(iter(fields.values()))
    return {key: {name: getattr(record, name) for name in any_expected} for key, record in records.items()}
