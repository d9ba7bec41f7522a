"""A hand-built tiny portal for the conformance tests: every count below is known by construction."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sandbox.hubspot.owners import Owner
from sandbox.hubspot.portal import Portal

START = datetime(2024, 1, 1, tzinfo=UTC)
N_DEALS = 25  # deals 0..24: stage cycles through 5 stages; amount = 1000 * (i + 1)
N_CONTACTS = 12
STAGES = ["appointmentscheduled", "qualifiedtobuy", "contractsent", "closedwon", "closedlost"]


class StepClock:
    """A clock that moves one second per reading, so every write gets a distinct, known time."""

    def __init__(self, start: datetime = START):
        self.now = start

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=1)
        return self.now


def tiny_portal(tier: str = "enterprise") -> Portal:
    portal = Portal(tier=tier, clock=StepClock())
    portal.add_owner(Owner("101", "ann@example.com", "Ann", "Lee", 9001,
                           teams=[{"id": "7", "name": "EMEA", "primary": True}]))
    portal.add_owner(Owner("102", "bob@example.com", "Bob", "Roy", 9002,
                           teams=[{"id": "8", "name": "US", "primary": True}]))
    companies = [portal.add("companies", {"name": f"Company {i}", "region": "EMEA" if i % 2 else "US",
                                          "hubspot_owner_id": "101"}) for i in range(3)]
    for i in range(N_CONTACTS):
        portal.add("contacts", {"email": f"lead{i}@example.com", "firstname": f"Lead{i}",
                                "lifecyclestage": "lead", "hs_lead_status": "NEW"},
                   associations={"companies": [companies[i % 3].id]})
    for i in range(N_DEALS):
        deal = portal.add("deals", {"dealname": f"Deal {i}", "amount": str(1000 * (i + 1)), "pipeline": "default",
                                    "dealstage": STAGES[i % 5], "deal_currency_code": "USD",
                                    "closedate": "2024-03-01T00:00:00Z", "dealtype": "newbusiness",
                                    "hubspot_owner_id": "101" if i % 2 == 0 else "102"})
        portal.associations.add("deals", deal.id, "companies", companies[i % 3].id, primary=True)
    return portal
