"""Which connector serves which CRM: the one place the sync names the CRM packages.

Imports are lazy so that `crm-kpi --help` and a HubSpot-only installation never import the Salesforce
client (and the reverse).
"""

from __future__ import annotations

from connectors.base import Connector
from connectors.budget import ApiBudget
from connectors.config import InstanceConfig


def open_connector(instance: InstanceConfig, *, budget: ApiBudget | None = None) -> Connector:
    """A connected `Connector` for `instance`; raises `ConfigurationError` / `AuthError` with the fix.
    `budget`: the instance's rate budget (default: counted in this process; workers share one)."""
    if instance.crm == "salesforce":
        from connectors.salesforce import connect as connect_salesforce

        return connect_salesforce(instance, budget=budget)
    from connectors.hubspot import connect as connect_hubspot

    return connect_hubspot(instance, budget=budget)
