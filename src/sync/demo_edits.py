"""What the demo's users do between two syncs, through the CRMs' own APIs and client libraries: win two
deals, raise three amounts, add a deal and delete one — so that the second sync shows it reads and writes
only what changed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import polars as pl
import requests

from sync.store.store import Store


def _future_close(today: date) -> date:
    """A close date after the new deal's creation, which the CRM stamps with the real clock."""
    return max(today, date.today()) + timedelta(days=30)


@dataclass(frozen=True)
class Edits:
    won: tuple[str, ...]
    raised: tuple[str, ...]
    added: str
    deleted: str

    @property
    def count(self) -> int:
        return len(self.won) + len(self.raised) + 2


def _open_deals(store: Store, instance: str) -> pl.DataFrame:
    deals = store.table(instance, "opportunities", include_deleted=False)
    return deals.filter(~pl.col("is_closed") & pl.col("amount").is_not_null()).sort("id")


def _stages(store: Store, instance: str) -> pl.DataFrame:
    return store.table(instance, "stages", include_deleted=False)


def edit_salesforce(connection: dict[str, Any], store: Store, instance: str, today: date) -> Edits:
    from simple_salesforce.api import Salesforce

    session = requests.Session()
    session.trust_env = False
    session.verify = connection["ca_file"]
    sf: Any = Salesforce(session_id=connection["token"], instance_url=connection["base_url"], session=session)
    deals = _open_deals(store, instance)
    won, raised, deleted = deals[:2], deals[2:5], deals[5]
    for deal_id in won["id"]:
        sf.Opportunity.update(deal_id, {"StageName": "Closed Won", "CloseDate": today.isoformat()})
    for deal_id, amount in raised.select("id", "amount").iter_rows():
        sf.Opportunity.update(deal_id, {"Amount": round(amount * 1.1, 2)})
    first_open = _stages(store, instance).filter(~pl.col("is_closed")).sort("order")["stage"][0]
    added = sf.Opportunity.create(
        {
            "Name": "Demo expansion",
            "AccountId": deleted["account_id"][0],
            "OwnerId": deleted["owner_id"][0],
            "StageName": first_open,
            "CloseDate": _future_close(today).isoformat(),
            "Amount": 25_000,
            "Type": "Existing Customer - Upgrade",
        }
    )["id"]
    sf.Opportunity.delete(deleted["id"][0])
    return Edits(tuple(won["id"]), tuple(raised["id"]), added, deleted["id"][0])


def edit_hubspot(connection: dict[str, Any], store: Store, instance: str, today: date) -> Edits:
    from hubspot import HubSpot
    from hubspot.crm.deals import SimplePublicObjectInput, SimplePublicObjectInputForCreate

    client = HubSpot(
        access_token=connection["token"], host=connection["base_url"], ssl_ca_cert=connection["ca_file"]
    )
    deals = client.crm.deals.basic_api
    open_deals = _open_deals(store, instance)
    stages = _stages(store, instance)
    won, raised, deleted = open_deals[:2], open_deals[2:5], open_deals[5]
    for deal_id, pipeline in won.select("id", "pipeline").iter_rows():
        won_stage = stages.filter((pl.col("pipeline") == pipeline) & pl.col("is_won"))["id"][0]
        deals.update(
            deal_id,
            SimplePublicObjectInput(
                properties={"dealstage": won_stage, "closedate": f"{today.isoformat()}T12:00:00Z"}
            ),
        )
    for deal_id, amount in raised.select("id", "amount").iter_rows():
        deals.update(deal_id, SimplePublicObjectInput(properties={"amount": str(round(amount * 1.1, 2))}))
    pipeline = deleted["pipeline"][0]
    first_open = stages.filter((pl.col("pipeline") == pipeline) & ~pl.col("is_closed")).sort("order")["id"][0]
    created = deals.create(
        SimplePublicObjectInputForCreate(
            properties={
                "dealname": "Demo expansion",
                "pipeline": pipeline,
                "dealstage": first_open,
                "amount": "25000",
                "closedate": f"{_future_close(today).isoformat()}T12:00:00Z",
                "dealtype": "existingbusiness",
                "hubspot_owner_id": deleted["owner_id"][0],
            }
        )
    )
    deals.archive(deleted["id"][0])
    return Edits(tuple(won["id"]), tuple(raised["id"]), str(created.id), deleted["id"][0])


EDITORS = {"salesforce": edit_salesforce, "hubspot": edit_hubspot}
