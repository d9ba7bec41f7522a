"""The Salesforce connector: `connect(instance)` gives a `SalesforceConnector` (connectors.base.Connector)."""

from connectors.salesforce.connector import SalesforceConnector, connect

__all__ = ["SalesforceConnector", "connect"]
