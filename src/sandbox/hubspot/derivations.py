"""Properties HubSpot calculates on every write, one function per object type in a table (as the Salesforce
store's `derivations`).

Each function receives what it reads besides the record (`DerivationSources`: the portal's pipelines and
currency rates, named by a protocol so this module imports neither the portal nor the store), the record
as written, the properties the write changed and the write's time; it answers the calculated properties.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Protocol

from sandbox.hubspot.pipelines import Pipeline, Pipelines, Stage, probability_text
from sandbox.hubspot.properties import iso_millis
from sandbox.hubspot.record import Record


class DerivationSources(Protocol):
    @property
    def pipelines(self) -> Pipelines: ...
    @property
    def currencies(self) -> dict[str, float]: ...


Derivation = Callable[[DerivationSources, Record, dict[str, str], datetime], dict[str, str]]


def _deal(sources: DerivationSources, record: Record, changed: dict[str, str], now: datetime) -> dict[str, str]:
    """`amount_in_home_currency` (amount / the rate of the deal's currency, per unit of the company currency;
    an unknown currency converts at 1), the stage flags, probability and date-entered/exited stamps."""
    out = _home_amount(record.properties, changed, sources.currencies)
    found = sources.pipelines.find_stage(record.properties.get("dealstage") or "", record.properties.get("pipeline"))
    if found:
        out.update(_stage_flags(record, changed, *found, now))
    return out


def _stage_flags(record: Record, changed: dict[str, str], pipeline: Pipeline, stage: Stage,
                 now: datetime) -> dict[str, str]:
    """hs_is_closed*, probability and the date-entered/exited stamps of a deal in `stage`."""
    out = {
        "hs_is_closed": str(stage.is_closed).lower(),
        "hs_is_closed_won": str(stage.is_won).lower(),
        "hs_is_closed_lost": str(stage.is_closed and not stage.is_won).lower(),
        "hs_deal_stage_probability": probability_text(stage.probability),
    }
    if not record.properties.get("pipeline"):
        out["pipeline"] = pipeline.id
    if "dealstage" in changed:
        previous = record.history.get("dealstage", [])
        if len(previous) > 1:
            out["hs_v2_date_exited_" + previous[1].value] = iso_millis(now)
        out["hs_v2_date_entered_" + stage.id] = iso_millis(now)
    return out


def _home_amount(props: dict[str, str], changed: dict[str, str], rates: dict[str, float]) -> dict[str, str]:
    """amount_in_home_currency = amount / rate of the deal's currency, when either changed."""
    if "amount" not in changed and "deal_currency_code" not in changed:
        return {}
    try:
        amount = float(props.get("amount") or "")
    except ValueError:
        return {}
    rate = rates.get(props.get("deal_currency_code") or "", 1.0) or 1.0
    return {"amount_in_home_currency": f"{amount / rate:.2f}".rstrip("0").rstrip(".")}


DERIVATIONS: dict[str, Derivation] = {"deals": _deal}
