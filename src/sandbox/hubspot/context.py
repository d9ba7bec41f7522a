"""State one HubSpot sandbox instance shares between its endpoint modules (as `OrgContext` is for
Salesforce): the portal, its write path with the runtime's record faults, and the runtime."""

from __future__ import annotations

from dataclasses import dataclass

from sandbox.hubspot.portal import Portal
from sandbox.hubspot.writes import Writer
from sandbox.instance import Runtime

# HubSpot publishes each CRM API under its numeric version and under dated versions
# (`/crm/objects/2026-03/{objectType}` beside `/crm/v3/objects/{objectType}`); the sandbox serves the
# dated paths as aliases of the same handlers, with the same endpoint labels.
DATED_VERSIONS = ("2026-03",)


def versioned(api: str, numeric: str) -> list[str]:
    """The path prefixes of one API: `versioned("crm/objects", "v3")` ->
    ["/crm/v3/objects", "/crm/objects/2026-03"]."""
    head, _, tail = api.rpartition("/")
    return [f"/{head}/{numeric}/{tail}"] + [f"/{api}/{version}" for version in DATED_VERSIONS]


@dataclass
class PortalContext:
    portal: Portal
    writer: Writer
    runtime: Runtime
