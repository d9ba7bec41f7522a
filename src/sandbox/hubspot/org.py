"""Render the generator's shared-schema tables into a HubSpot portal's native objects.

Every mapping choice (docs/sandbox-hubspot.md, "From the shared schema") is a table entry here:
users → owners (+ teams) and the users object; accounts → companies; leads → contacts;
opportunities → deals (stage ids, dealstage history from stage_changes); activities → calls,
emails, meetings, tasks, notes; line items and products; quotas → goal_targets.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import polars as pl

from sandbox.frame_columns import collector_paused, python_values
from sandbox.frame_columns import iso_millis as iso_column
from sandbox.hubspot.catalog import CALL_DISPOSITIONS
from sandbox.hubspot.org_columns import Columns, each_distinct, flags, iso, load, stage_history, text
from sandbox.hubspot.owners import Owner
from sandbox.hubspot.pipelines import Pipeline, Stage
from sandbox.hubspot.portal import Portal
from sandbox.hubspot.properties import PropertyDef, iso_millis

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
        return iso_millis(value if value.tzinfo else value.replace(tzinfo=UTC))
    if isinstance(value, date):
        return iso_millis(datetime.combine(value, time(), tzinfo=UTC))
    return str(value)


def _num(value: Any) -> str | None:
    if value is None:
        return None
    return str(int(value)) if float(value).is_integer() else f"{float(value):.2f}".rstrip("0").rstrip(".")


def _when(row: dict, key: str = "created_at") -> datetime:
    value = row.get(key) or row.get("modified_at")
    return value if isinstance(value, datetime) else datetime.combine(value, time(), tzinfo=UTC)


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
    with collector_paused():
        return _render_all(org, portal)


def _render_all(org: Any, portal: Portal) -> Portal:
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


def _frame(org: Any, table: str) -> pl.DataFrame | None:
    return org.tables.get(table)


def _numbers(values: list[Any]) -> list[str | None]:
    return [_num(v) for v in values]


def _render_companies(org: Any, portal: Portal) -> None:
    frame = _frame(org, "accounts")
    if frame is None:
        return
    load(portal.store, "companies", frame, {
        "name": text(frame, "name"), "industry": text(frame, "industry"), "region": text(frame, "region"),
        "hubspot_owner_id": text(frame, "owner_id"), "createdate": iso(frame, "created_at"),
    }, created="created_at")


def _render_deals(org: Any, portal: Portal, stage_ids: dict[tuple[str, str], str]) -> None:
    frame = _frame(org, "opportunities")
    if frame is None:
        return
    frame = frame.with_columns(pl.col("pipeline").fill_null("default"))
    pipelines, stages = text(frame, "pipeline"), text(frame, "stage")
    stage_of = lambda pipeline, stage: stage_ids.get((pipeline, stage), stage)  # noqa: E731
    stage = [stage_of(p, s) for p, s in zip(pipelines, stages, strict=False)]
    found = {key: portal.pipelines.find_stage(key[1], key[0]) for key in set(zip(pipelines, stage, strict=False))}
    probability = [_num(found[(p, s)][1].probability if found[(p, s)] else row_probability)
                    for p, s, row_probability in zip(pipelines, stage, frame["probability"].to_list(), strict=False)]
    kinds = each_distinct(frame["type"].to_list(), lambda t: DEAL_TYPES.get(t or "other", (None, None)))
    changes = _frame(org, "stage_changes")
    history = stage_history(changes, stage_of, dict(zip(text(frame, "id"), pipelines, strict=False))) \
        if changes is not None else {}
    ids = text(frame, "id")
    entered = [history.get(i, (None, None)) for i in ids]
    records = load(portal.store, "deals", frame, {
        "dealname": text(frame, "name"), "amount": _numbers(frame["amount_original"].to_list()),
        "amount_in_home_currency": _numbers(frame["amount"].to_list()), "deal_currency_code": text(frame, "currency"),
        "pipeline": pipelines, "dealstage": stage, "closedate": iso(frame, "close_date"),
        "createdate": iso(frame, "created_at"), "dealtype": [k[0] for k in kinds],
        "hs_deal_renewal_type": [k[1] for k in kinds], "hubspot_owner_id": text(frame, "owner_id"),
        "hs_forecast_category": each_distinct(frame["forecast_category"].to_list(), lambda f: FORECAST.get(f or "")),
        "hs_is_closed": flags(frame, pl.col("is_closed")), "hs_is_closed_won": flags(frame, pl.col("is_won")),
        "hs_is_closed_lost": flags(frame, pl.col("is_closed").fill_null(False) & ~pl.col("is_won").fill_null(False)),
        "hs_deal_stage_probability": probability,
        "hs_analytics_source": each_distinct(frame["lead_source"].to_list(), _traffic_source),
        "contract_length_months": _numbers(frame["contract_months"].to_list()),
    }, created="created_at", extra=[props for props, _ in entered])
    for record, (_, changes_of_deal) in zip(records, entered, strict=False):
        if changes_of_deal:
            record.history["dealstage"] = changes_of_deal
    portal.associations.add_many("deals", ids, "companies", text(frame, "account_id"), primary=True)


def _traffic_source(source: str | None) -> str | None:
    if not source:
        return None
    return TRAFFIC_SOURCES.get(source.strip().lower(), "OTHER_CAMPAIGNS")


def _render_contacts(org: Any, portal: Portal) -> None:
    """Leads are contacts: lifecycle `lead`, or `opportunity` once converted (dated by the conversion)."""
    frame = _frame(org, "leads")
    if frame is None:
        return
    ids, companies = text(frame, "id"), text(frame, "converted_account_id")
    load(portal.store, "contacts", frame, {
        "email": text(frame, "email"), "firstname": text(frame, "first_name"), "lastname": text(frame, "last_name"),
        "company": text(frame, "company"), "createdate": iso(frame, "created_at"),
        "hubspot_owner_id": text(frame, "owner_id"),
        "lifecyclestage": frame.select(pl.when(pl.col("converted_at").is_not_null()).then(pl.lit("opportunity"))
                                       .otherwise(pl.lit("lead"))).to_series().to_list(),
        "hs_lifecyclestage_lead_date": iso(frame, "created_at"),
        "hs_lifecyclestage_opportunity_date": iso(frame, "converted_at"),
        "hs_lead_status": each_distinct(text(frame, "status"),
                                        lambda s: LEAD_STATUS.get(s or "", "OPEN" if s else None)),
        "hs_analytics_source": each_distinct(text(frame, "lead_source"), _traffic_source),
        "hs_analytics_source_data_1": text(frame, "lead_source"), "associatedcompanyid": companies,
    }, created="created_at")
    portal.associations.add_many("contacts", ids, "companies", companies, primary=True)
    portal.associations.add_many("contacts", ids, "deals", text(frame, "converted_opportunity_id"))


def _when_true(frame: pl.DataFrame, condition: pl.Expr, then: str, otherwise: str | None) -> list[str | None]:
    return python_values(frame.select(pl.when(condition).then(pl.lit(then)).otherwise(pl.lit(otherwise))).to_series())


def _call(frame: pl.DataFrame) -> Columns:
    durations = frame["duration_seconds"].to_list()
    return {"hs_call_title": text(frame, "subtype"), "hs_activity_type": text(frame, "subtype"),
            "hs_call_duration": [_num(round((d or 0) * 1000)) for d in durations],
            "hs_call_disposition": each_distinct(text(frame, "outcome"), lambda o: CALL_OUTCOMES.get(o or "")),
            "hs_call_direction": each_distinct(text(frame, "direction"), lambda d: CALL_DIRECTIONS.get(d or "")),
            # A completed flag left empty counts as not completed, as the row-wise mapping read it.
            "hs_call_status": _when_true(frame, pl.col("completed").fill_null(False), "COMPLETED", "NO_ANSWER")}


def _email(frame: pl.DataFrame) -> Columns:
    return {"hs_email_subject": text(frame, "subtype"), "hs_email_status": ["SENT"] * frame.height,
            "hs_email_direction": _when_true(frame, pl.col("direction") == "inbound", "INCOMING_EMAIL", "EMAIL"),
            "hs_email_open_count": frame.select(pl.when(pl.col("opened")).then(pl.lit("1"))
                                                .when(pl.col("opened").is_not_null()).then(pl.lit("0")))
            .to_series().to_list()}


def _meeting(frame: pl.DataFrame) -> Columns:
    end = frame.select(pl.col("occurred_at") + pl.duration(
        microseconds=(pl.col("duration_seconds").fill_null(0) * 1_000_000).round(0).cast(pl.Int64))).to_series()
    return {"hs_meeting_title": text(frame, "subtype"), "hs_activity_type": text(frame, "subtype"),
            "hs_meeting_start_time": iso(frame, "occurred_at"), "hs_meeting_end_time": iso_column(end),
            "hs_meeting_outcome": _when_true(frame, pl.col("completed").fill_null(False), "COMPLETED", "SCHEDULED")}


def _task(frame: pl.DataFrame) -> Columns:
    done = pl.col("completed").fill_null(False)
    return {"hs_task_subject": text(frame, "subtype"), "hs_task_type": ["TODO"] * frame.height,
            "hs_task_status": _when_true(frame, done, "COMPLETED", "NOT_STARTED"),
            "hs_task_completion_date": [m if d else None for m, d in
                                        zip(iso(frame, "modified_at"), frame.select(done).to_series().to_list(), strict=False)]}


def _note(frame: pl.DataFrame) -> Columns:
    return {"hs_note_body": frame["subtype"].fill_null("Note").to_list()}


CALL_DIRECTIONS = {"outbound": "OUTBOUND", "inbound": "INBOUND"}
ACTIVITY_KINDS: dict[str, tuple[str, Callable[[pl.DataFrame], Columns]]] = {
    "call": ("calls", _call), "email": ("emails", _email), "meeting": ("meetings", _meeting),
    "task": ("tasks", _task), "note": ("notes", _note)}


def _render_activities(org: Any, portal: Portal) -> None:
    frame = _frame(org, "activities")
    if frame is None:
        return
    subtypes = frame.filter(pl.col("kind").is_in(["call", "meeting"]) & (pl.col("subtype").fill_null("") != ""))
    _allow_activity_types(portal, set(subtypes["subtype"].to_list()))
    for kind, (type_name, columns_of) in ACTIVITY_KINDS.items():
        rows = frame.filter(pl.col("kind") == kind)
        if rows.is_empty():
            continue
        load(portal.store, type_name, rows, {"hs_timestamp": iso(rows, "occurred_at"),
                                             "hubspot_owner_id": text(rows, "owner_id"), **columns_of(rows)},
             created="occurred_at")
        ids = text(rows, "id")
        for to_type, key in (("deals", "opportunity_id"), ("companies", "account_id"), ("contacts", "lead_id")):
            portal.associations.add_many(type_name, ids, to_type, [t or None for t in text(rows, key)])


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
                          datetime(2020, 1, 1, tzinfo=UTC), datetime(2020, 1, 1, tzinfo=UTC))
    frame = _frame(org, "line_items")
    if frame is None:
        return
    product_ids = text(frame, "product_id")
    load(portal.store, "line_items", frame, {
        "name": text(frame, "product_name"), "hs_product_id": product_ids,
        "quantity": _numbers(frame["quantity"].to_list()), "price": _numbers(frame["unit_price"].to_list()),
        "amount": _numbers(frame["total_price"].to_list()),
        "product_family": [f or families.get(p) for f, p in zip(text(frame, "product_family"), product_ids, strict=False)],
    }, created=None)
    portal.associations.add_many("line_items", text(frame, "id"), "deals", text(frame, "opportunity_id"))


def _render_quotas(org: Any, portal: Portal, user_ids: dict[str, int]) -> None:
    """Quotas are goal targets assigned to the owner's user id (period end exclusive → last instant before)."""
    for index, row in enumerate(_rows(org, "quotas")):
        start = datetime.combine(row["period_start"], time(), tzinfo=UTC)
        end = datetime.combine(row["period_end"], time(), tzinfo=UTC) - timedelta(milliseconds=1)
        owner = portal.owners.get(row["owner"]) or next(
            (o for o in portal.owners.values() if o.email == row["owner"]), None)
        portal.store.load("goal_targets", str(900_000_000 + index), {
            "hs_goal_name": f"Revenue quota {row['period_start']}", "hs_target_amount": _num(row["amount"]),
            "hs_start_datetime": _ms(start), "hs_end_datetime": _ms(end), "hs_goal_type": "revenue",
            "hs_assignee_user_id": str(owner.user_id) if owner else None, "hs_currency_code": portal.currency,
        }, start, start)
