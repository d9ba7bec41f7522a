"""Render the generator's shared-schema tables into native Salesforce records (see the mapping table in
docs/sandbox-salesforce.md). One small function per object; `render_org` loads them in dependency order.
The large objects are built column-wise in `sandbox.salesforce.org_columns`.

Generated timestamps keep their microseconds truncated to milliseconds, so rows generated in the same
millisecond share a SystemModstamp, as bulk-loaded rows do in a real org.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

from sandbox.frame_columns import collector_paused
from sandbox.salesforce.derivations import CATEGORY_API
from sandbox.salesforce.org_columns import FORECAST_NAMES
from sandbox.salesforce.org_columns import big_tables as _big_tables
from sandbox.salesforce.store import Store
from sandbox.salesforce.values import to_millis

Row = dict[str, Any]
INTEGRATION_USER = "integration@crm-kpi.sandbox"


def _ms(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return to_millis(value.astimezone(UTC))


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
        yield {**_stamps(r, datetime.combine(r["started_at"], datetime.min.time(), UTC)
                         if r.get("started_at") else None),
               "FirstName": first or None, "LastName": last or r["name"], "Email": r.get("email"),
               "Username": r.get("email") or r["id"], "IsActive": bool(r.get("active")),
               "UserRoleId": roles.get(r.get("team") or ""), "Department": r.get("team"),
               "ManagerId": r.get("manager_id"), "Start_Date__c": r.get("started_at"),
               "End_Date__c": r.get("ended_at")}


def _stages(org: Any) -> Iterator[Row]:
    for r in _rows(org, "stages"):
        implied = "Closed" if r["is_closed"] and r["is_won"] else "Omitted" if r["is_closed"] else "Pipeline"
        category = FORECAST_NAMES.get(r.get("forecast_category") or "", implied)
        yield {**_stamps(r), "MasterLabel": r["stage"], "ApiName": r["stage"], "SortOrder": r["order"],
               "DefaultProbability": round((r.get("probability") or 0) * 100), "IsClosed": r["is_closed"],
               "IsWon": r["is_won"], "IsActive": True, "ForecastCategory": CATEGORY_API[category],
               "ForecastCategoryName": category}


def render_org(org: Any, clock: Callable[[], datetime] | None = None) -> Store:
    """A store holding `org` (a generator Org; None gives an org with just the integration user)."""
    with collector_paused():
        return _render_all(org, clock)


def _render_all(org: Any, clock: Callable[[], datetime] | None = None) -> Store:
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
    store.load("User", _users(org, dict(zip(teams, role_ids, strict=False))))
    store.load("CurrencyType", [{"IsoCode": r["iso_code"], "ConversionRate": r["rate"], "IsActive": True,
                                 "IsCorporate": r["is_corporate"], "DecimalPlaces": 2}
                                for r in _rows(org, "currencies")])
    store.load("Product2", [{"Id": r["id"], "Name": r["name"], "Family": r.get("family"), "IsActive": True}
                            for r in _rows(org, "products")])
    store.load("OpportunityStage", _stages(org))
    for name, columns in _big_tables(org):
        store.load_columns(name, columns)
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
