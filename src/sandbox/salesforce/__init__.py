"""The Salesforce sandbox CRM (plug-in of `sandbox.runtime`): REST API v50-62, SOQL subset, sObject
Collections, Bulk API 2.0 query, Tooling API, OAuth. See docs/sandbox-salesforce.md."""

from sandbox.salesforce.app import build
from sandbox.salesforce.data_loader import export_org, load_data
from sandbox.salesforce.dialect import DIALECT
from sandbox.salesforce.store import Store

__all__ = ["DIALECT", "Store", "build", "export_org", "load_data"]
