"""Fields the platform computes on every write, one function per object (a table, not if-chains).

Each function receives the store, the record as it will be saved, and the names of the fields the client
set; it fills the derived fields in place. Values a client may set (Probability, ForecastCategoryName on
Opportunity) are only derived when the client did not set them, as the real platform does.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sandbox.salesforce.store import Store

Record = dict[str, Any]
# OpportunityStage.ForecastCategory (API value) -> Opportunity.ForecastCategoryName (label)
CATEGORY_NAME = {"Omitted": "Omitted", "Pipeline": "Pipeline", "BestCase": "Best Case",
                 "Forecast": "Commit", "Closed": "Closed"}
CATEGORY_API = {v: k for k, v in CATEGORY_NAME.items()}


def _opportunity(store: Store, rec: Record, changed: set[str]) -> None:
    stage = store.stage(rec.get("StageName"))
    if stage is not None:
        rec["IsClosed"] = bool(stage.get("IsClosed"))
        rec["IsWon"] = bool(stage.get("IsWon"))
        if "StageName" in changed and "Probability" not in changed:
            rec["Probability"] = stage.get("DefaultProbability")
        if "StageName" in changed and "ForecastCategoryName" not in changed:
            rec["ForecastCategoryName"] = stage.get("ForecastCategoryName")
    amount, probability = rec.get("Amount"), rec.get("Probability")
    rec["ExpectedRevenue"] = None if amount is None or probability is None else amount * probability / 100


def _task(store: Store, rec: Record, changed: set[str]) -> None:
    closed = rec.get("Status") == "Completed"
    if closed and not rec.get("IsClosed"):
        rec["CompletedDateTime"] = rec.get("LastModifiedDate")
    rec["IsClosed"] = closed


def _event(store: Store, rec: Record, changed: set[str]) -> None:
    start = rec.get("StartDateTime") or rec.get("ActivityDateTime")
    if start is None:
        return
    rec["StartDateTime"] = rec["ActivityDateTime"] = start
    rec["ActivityDate"] = start.date()
    if rec.get("DurationInMinutes") is not None:
        rec["EndDateTime"] = start + timedelta(minutes=rec["DurationInMinutes"])


def _line_item(store: Store, rec: Record, changed: set[str]) -> None:
    if "TotalPrice" not in changed and rec.get("Quantity") is not None and rec.get("UnitPrice") is not None:
        rec["TotalPrice"] = rec["Quantity"] * rec["UnitPrice"]
    elif "TotalPrice" in changed and rec.get("Quantity") and "UnitPrice" not in changed:
        rec["UnitPrice"] = rec["TotalPrice"] / rec["Quantity"]


def _person_name(store: Store, rec: Record, changed: set[str]) -> None:
    rec["Name"] = " ".join(p for p in (rec.get("FirstName"), rec.get("LastName")) if p) or None


DERIVATIONS: dict[str, Callable[[Store, Record, set[str]], None]] = {
    "Opportunity": _opportunity,
    "Task": _task,
    "Event": _event,
    "OpportunityLineItem": _line_item,
    "User": _person_name,
    "Lead": _person_name,
}
