"""Render the generator's shared-schema tables into a HubSpot portal's native objects.

Every mapping choice (docs/sandbox-hubspot.md, "From the shared schema") is a table entry here:
users → owners (+ teams) and the users object; accounts → companies; leads → contacts;
opportunities → deals (stage ids, dealstage history from stage_changes); activities → calls,
emails, meetings, tasks, notes; line items and products; quotas → goal_targets.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from typing import Any

from sandbox.hubspot.catalog import CALL_DISPOSITIONS
from sandbox.hubspot.owners import Owner
from sandbox.hubspot.pipelines import Pipeline, Stage
from sandbox.hubspot.portal import Portal
from sandbox.hubspot.properties import PropertyDef, iso_millis
from sandbox.hubspot.store import HistoryEntry

OUTCOME_DISPOSITION = {label: guid for guid, label in CALL_DISPOSITIONS.items()}
CALL_OUTCOMES = {"connected": OUTCOME_DISPOSITION["Connected"], "no_answer": OUTCOME_DISPOSITION["No answer"],
                 "voicemail": OUTCOME_DISPOSITION["Left voicemail"], "busy": OUTCOME_DISPOSITION["Busy"],
                 "other": OUTCOME_DISPOSITION["Wrong number"]}
FORECAST = {"pipeline": "PIPELINE", "best_case": "BEST_CASE", "commit": "COMMIT", "closed": "CLOSED",
            "omitted": "OMIT"}
# type → (dealtype, hs_deal_renewal_type)
DEAL_TYPES = {"new_business": ("newbusiness", None), "renewal": ("existingbusiness", "renewal"),
              "expansion": ("existingbusiness", "expansion"), "other": (None, None)}
# Lead source text → HubSpot's Original Traffic Source; the text itself goes to drill-down 1.
TRAFFIC_SOURCES = {"web": "DIRECT_TRAFFIC", "organic": "ORGANIC_SEARCH", "organic search": "ORGANIC_SEARCH",
                   "paid search": "PAID_SEARCH", "social": "SOCIAL_MEDIA", "email": "EMAIL_MARKETING",
                   "referral": "REFERRALS", "customer referral": "REFERRALS", "partner referral": "REFERRALS",
                   "outbound": "OFFLINE", "event": "OFFLINE", "trade show": "OFFLINE"}
LEAD_STATUS = {"Open - Not Contacted": "NEW", "Working - Contacted": "IN_PROGRESS",
               "Closed - Converted": "OPEN_DEAL", "Closed - Not Converted": "UNQUALIFIED"}


def _ms(value: Any) -> str | None:
    """A datetime or date as HubSpot's ISO-with-milliseconds string."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return iso_millis(value if value.tzinfo else value.replace(tzinfo=timezone.utc))
    if isinstance(value, date):
        return iso_millis(datetime.combine(value, time(), tzinfo=timezone.utc))
    return str(value)


def _num(value: Any) -> str | None:
    if value is None:
        return None
    return str(int(value)) if float(value).is_integer() else f"{float(value):.2f}".rstrip("0").rstrip(".")


def _when(row: dict, key: str = "created_at") -> datetime:
    value = row.get(key) or row.get("modified_at")
    return value if isinstance(value, datetime) else datetime.combine(value, time(), tzinfo=timezone.utc)


def _rows(org: Any, table: str) -> list[dict]:
    """Rows as dicts, each date/datetime column also as `<name>_iso` in HubSpot's format, formatted
    column-wise by polars (formatting per value in Python dominated rendering time)."""
    frame = org.tables.get(table)
    if frame is None:
        return []
    import polars as pl
    formats = {pl.Date: "%Y-%m-%dT00:00:00.000Z", pl.Datetime: "%Y-%m-%dT%H:%M:%S%.3fZ"}
    extra = [pl.col(name).dt.convert_time_zone("UTC").dt.strftime(formats[pl.Datetime]).alias(f"{name}_iso")
             if isinstance(dtype, pl.Datetime) and dtype.time_zone else
             pl.col(name).dt.strftime(formats[pl.Datetime if isinstance(dtype, pl.Datetime) else pl.Date])
             .alias(f"{name}_iso")
             for name, dtype in frame.schema.items() if isinstance(dtype, (pl.Datetime, pl.Date))]
    return frame.with_columns(extra).to_dicts() if extra else frame.to_dicts()


def _iso(row: dict, key: str) -> str | None:
    """A date/datetime column of a row in HubSpot's format (pre-formatted by `_rows`)."""
    return row.get(f"{key}_iso", _ms(row.get(key)))


def render_org(org: Any, portal: Portal) -> Portal:
    """Fill `portal` with `org` (a generator Org: `.tables` of polars frames named as the shared schema)."""
    owner_user_ids = _render_users(org, portal)
    stage_ids = _render_pipeline(org, portal)
    _render_companies(org, portal)
    _render_deals(org, portal, stage_ids)
    _render_contacts(org, portal)
    _render_activities(org, portal)
    _render_products(org, portal)
    _render_quotas(org, portal, owner_user_ids)
    portal.currencies.update({r["iso_code"]: r["rate"] for r in _rows(org, "currencies")})
    return portal


def _render_users(org: Any, portal: Portal) -> dict[str, int]:
    """Owners carry the team (`teams[0]`, primary); deactivated users are archived owners."""
    team_ids: dict[str, str] = {}
    user_ids: dict[str, int] = {}
    for index, row in enumerate(_rows(org, "users")):
        first, _, last = (row.get("name") or "").partition(" ")
        user_id = 5_000_000 + index
        user_ids[row["id"]] = user_id
        teams = []
        if row.get("team"):
            team_id = team_ids.setdefault(row["team"], str(100 + len(team_ids)))
            teams = [{"id": team_id, "name": row["team"], "primary": True}]
        started = _when({"created_at": row.get("started_at"), "modified_at": row["modified_at"]})
        archived = bool(row.get("deleted")) or not row.get("active", True)
        portal.add_owner(Owner(row["id"], row.get("email") or "", first, last, user_id, teams, archived,
                               started, row["modified_at"]))
        portal.store.load("users", row["id"], {
            "hs_email": row.get("email"), "hs_given_name": first, "hs_family_name": last,
            "hs_internal_user_id": str(user_id), "hs_deactivated": str(archived).lower(),
            "hs_team_name": row.get("team"), "hs_main_user_team_id": teams[0]["id"] if teams else None,
        }, started, row["modified_at"])
    return user_ids


def _render_pipeline(org: Any, portal: Portal) -> dict[tuple[str, str], str]:
    """Stages by (pipeline, name) → stage id: HubSpot's own ids for won/lost, numeric ids otherwise."""
    by_pipeline: dict[str, list[Stage]] = {}
    ids: dict[tuple[str, str], str] = {}
    for row in sorted(_rows(org, "stages"), key=lambda r: r["order"]):
        pipeline = row.get("pipeline") or "default"
        stage_id = ("closedwon" if row["is_won"] else "closedlost") if row["is_closed"] and pipeline == "default" \
            else row["id"]
        ids[(pipeline, row["stage"])] = stage_id
        by_pipeline.setdefault(pipeline, []).append(Stage(stage_id, row["stage"], len(by_pipeline.get(pipeline, [])),
                                                          float(row.get("probability") or 0.0),
                                                          bool(row["is_closed"]), bool(row["is_won"])))
    if by_pipeline:
        portal.pipelines.replace_all([Pipeline(p, "Sales Pipeline" if p == "default" else p, i, stages)
                                      for i, (p, stages) in enumerate(by_pipeline.items())])
    return ids


def _render_companies(org: Any, portal: Portal) -> None:
    for row in _rows(org, "accounts"):
        portal.store.load("companies", row["id"], {
            "name": row.get("name"), "industry": row.get("industry"), "region": row.get("region"),
            "hubspot_owner_id": row.get("owner_id"), "createdate": _iso(row, "created_at"),
        }, _when(row), row["modified_at"], archived=bool(row.get("deleted")))


def _render_deals(org: Any, portal: Portal, stage_ids: dict[tuple[str, str], str]) -> None:
    changes: dict[str, list[dict]] = {}
    for row in _rows(org, "stage_changes"):
        changes.setdefault(row["opportunity_id"], []).append(row)
    for row in _rows(org, "opportunities"):
        pipeline = row.get("pipeline") or "default"
        stage_id = stage_ids.get((pipeline, row["stage"]), row["stage"])
        dealtype, renewal = DEAL_TYPES.get(row.get("type") or "other", (None, None))
        found = portal.pipelines.find_stage(stage_id, pipeline)
        stage = found[1] if found else None
        props = {
            "dealname": row.get("name"), "amount": _num(row.get("amount_original")),
            "amount_in_home_currency": _num(row.get("amount")), "deal_currency_code": row.get("currency"),
            "pipeline": pipeline, "dealstage": stage_id, "closedate": _iso(row, "close_date"),
            "createdate": _iso(row, "created_at"), "dealtype": dealtype, "hs_deal_renewal_type": renewal,
            "hubspot_owner_id": row.get("owner_id"),
            "hs_forecast_category": FORECAST.get(row.get("forecast_category") or ""),
            "hs_is_closed": str(bool(row["is_closed"])).lower(), "hs_is_closed_won": str(bool(row["is_won"])).lower(),
            "hs_is_closed_lost": str(bool(row["is_closed"]) and not row["is_won"]).lower(),
            "hs_deal_stage_probability": _num(stage.probability if stage else row.get("probability")),
            "hs_analytics_source": _traffic_source(row.get("lead_source")),
            "contract_length_months": _num(row.get("contract_months")),
        }
        history = []
        for change in sorted(changes.get(row["id"], []), key=lambda c: c["entered_at"]):
            change_stage = stage_ids.get((pipeline, change["stage"]), change["stage"])
            props[f"hs_v2_date_entered_{change_stage}"] = _iso(change, "entered_at")
            history.insert(0, HistoryEntry(change_stage, change["entered_at"], "CRM_UI"))
        record = portal.store.load("deals", row["id"], props, _when(row), row["modified_at"],
                                   archived=bool(row.get("deleted")))
        if history:
            record.history["dealstage"] = history
        if row.get("account_id"):
            portal.associations.add("deals", row["id"], "companies", row["account_id"], primary=True)


def _traffic_source(text: str | None) -> str | None:
    if not text:
        return None
    return TRAFFIC_SOURCES.get(text.strip().lower(), "OTHER_CAMPAIGNS")


def _render_contacts(org: Any, portal: Portal) -> None:
    """Leads are contacts: lifecycle `lead`, or `opportunity` once converted (dated by the conversion)."""
    for row in _rows(org, "leads"):
        converted = row.get("converted_at")
        props = {
            "email": row.get("email"), "firstname": row.get("first_name"), "lastname": row.get("last_name"),
            "company": row.get("company"), "createdate": _iso(row, "created_at"),
            "hubspot_owner_id": row.get("owner_id"),
            "lifecyclestage": "opportunity" if converted else "lead",
            "hs_lifecyclestage_lead_date": _iso(row, "created_at"),
            "hs_lifecyclestage_opportunity_date": _iso(row, "converted_at"),
            "hs_lead_status": LEAD_STATUS.get(row.get("status") or "", "OPEN" if row.get("status") else None),
            "hs_analytics_source": _traffic_source(row.get("lead_source")),
            "hs_analytics_source_data_1": row.get("lead_source"),
            "associatedcompanyid": row.get("converted_account_id"),
        }
        portal.store.load("contacts", row["id"], props, _when(row), row["modified_at"],
                          archived=bool(row.get("deleted")))
        if row.get("converted_account_id"):
            portal.associations.add("contacts", row["id"], "companies", row["converted_account_id"], primary=True)
        if row.get("converted_opportunity_id"):
            portal.associations.add("contacts", row["id"], "deals", row["converted_opportunity_id"])


def _call(row: dict) -> dict:
    return {"hs_call_title": row.get("subtype"), "hs_activity_type": row.get("subtype"),
            "hs_call_duration": _num(round((row.get("duration_seconds") or 0) * 1000)),
            "hs_call_disposition": CALL_OUTCOMES.get(row.get("outcome") or ""),
            "hs_call_direction": {"outbound": "OUTBOUND", "inbound": "INBOUND"}.get(row.get("direction") or ""),
            "hs_call_status": "COMPLETED" if row.get("completed", True) else "NO_ANSWER"}


def _email(row: dict) -> dict:
    opened = row.get("opened")
    return {"hs_email_subject": row.get("subtype"), "hs_email_status": "SENT",
            "hs_email_direction": "INCOMING_EMAIL" if row.get("direction") == "inbound" else "EMAIL",
            "hs_email_open_count": None if opened is None else ("1" if opened else "0")}


def _meeting(row: dict) -> dict:
    start = row["occurred_at"]
    end = start + timedelta(seconds=row.get("duration_seconds") or 0)
    return {"hs_meeting_title": row.get("subtype"), "hs_activity_type": row.get("subtype"),
            "hs_meeting_start_time": _iso(row, "occurred_at"), "hs_meeting_end_time": _ms(end),
            "hs_meeting_outcome": "COMPLETED" if row.get("completed", True) else "SCHEDULED"}


def _task(row: dict) -> dict:
    done = row.get("completed", True)
    return {"hs_task_subject": row.get("subtype"), "hs_task_type": "TODO",
            "hs_task_status": "COMPLETED" if done else "NOT_STARTED",
            "hs_task_completion_date": _iso(row, "modified_at") if done else None}


def _note(row: dict) -> dict:
    return {"hs_note_body": row.get("subtype") or "Note"}


ACTIVITY_KINDS = {"call": ("calls", _call), "email": ("emails", _email), "meeting": ("meetings", _meeting),
                  "task": ("tasks", _task), "note": ("notes", _note)}


def _render_activities(org: Any, portal: Portal) -> None:
    rows = _rows(org, "activities")
    _allow_activity_types(portal, {r["subtype"] for r in rows if r["kind"] in ("call", "meeting") and r.get("subtype")})
    for row in rows:
        type_name, props_of = ACTIVITY_KINDS[row["kind"]]
        props = {"hs_timestamp": _iso(row, "occurred_at"), "hubspot_owner_id": row.get("owner_id"), **props_of(row)}
        portal.store.load(type_name, row["id"], props, row["occurred_at"], row["modified_at"],
                          archived=bool(row.get("deleted")))
        for to_type, key in (("deals", "opportunity_id"), ("companies", "account_id"), ("contacts", "lead_id")):
            if row.get(key):
                portal.associations.add(type_name, row["id"], to_type, row[key])


def _allow_activity_types(portal: Portal, subtypes: set[str]) -> None:
    """Meeting and call types are a portal setting; add the org's own (e.g. "Demo") as options."""
    for type_name in ("calls", "meetings"):
        prop = portal.types[type_name].properties["hs_activity_type"]
        known = {o["value"] for o in prop.options}
        for subtype in sorted(subtypes - known):
            prop.options.append({"label": subtype, "value": subtype, "displayOrder": len(prop.options)})


def _render_products(org: Any, portal: Portal) -> None:
    """Product family has no HubSpot property: the renderer adds `product_family` as an admin would."""
    for type_name in ("products", "line_items"):
        type_def = portal.types[type_name]
        type_def.properties["product_family"] = PropertyDef("product_family", "Product family",
                                                            group_name=type_def.group, hubspot_defined=False)
    families = {}
    for row in _rows(org, "products"):
        families[row["id"]] = row.get("family")
        portal.store.load("products", row["id"], {"name": row.get("name"), "price": _num(row.get("list_price")),
                                                  "product_family": row.get("family")},
                          datetime(2020, 1, 1, tzinfo=timezone.utc), datetime(2020, 1, 1, tzinfo=timezone.utc))
    for row in _rows(org, "line_items"):
        portal.store.load("line_items", row["id"], {
            "name": row.get("product_name"), "hs_product_id": row.get("product_id"),
            "quantity": _num(row.get("quantity")), "price": _num(row.get("unit_price")),
            "amount": _num(row.get("total_price")),
            "product_family": row.get("product_family") or families.get(row.get("product_id")),
        }, row["modified_at"], row["modified_at"], archived=bool(row.get("deleted")))
        portal.associations.add("line_items", row["id"], "deals", row["opportunity_id"])


def _render_quotas(org: Any, portal: Portal, user_ids: dict[str, int]) -> None:
    """Quotas are goal targets assigned to the owner's user id (period end exclusive → last instant before)."""
    for index, row in enumerate(_rows(org, "quotas")):
        start = datetime.combine(row["period_start"], time(), tzinfo=timezone.utc)
        end = datetime.combine(row["period_end"], time(), tzinfo=timezone.utc) - timedelta(milliseconds=1)
        owner = portal.owners.get(row["owner"]) or next(
            (o for o in portal.owners.values() if o.email == row["owner"]), None)
        portal.store.load("goal_targets", str(900_000_000 + index), {
            "hs_goal_name": f"Revenue quota {row['period_start']}", "hs_target_amount": _num(row["amount"]),
            "hs_start_datetime": _ms(start), "hs_end_datetime": _ms(end), "hs_goal_type": "revenue",
            "hs_assignee_user_id": str(owner.user_id) if owner else None, "hs_currency_code": portal.currency,
        }, start, start)
