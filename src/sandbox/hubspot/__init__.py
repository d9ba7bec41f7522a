"""The HubSpot sandbox CRM: CRM v3 objects, search, batch, properties, schemas, pipelines, owners and
v4 associations over a Portal, plugged into the shared runtime (`sandbox.runtime.Sandbox(crm="hubspot")`).

Plug-in contract (docs/sandbox.md): `DIALECT`, `build(org, runtime) -> (app, portal)`, `load_data(dir)`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sandbox.hubspot.dialect import DIALECT
from sandbox.hubspot.portal import Portal

__all__ = ["DIALECT", "Portal", "build", "load_data", "export_org"]


def build(org: Any, runtime: Any) -> tuple[Any, Portal]:
    """The app over `org`: a Portal (served as is), a generator Org (rendered natively), or None (empty)."""
    from sandbox.hubspot.app import build_app

    def clock() -> datetime:
        return datetime.fromtimestamp(runtime.clock(), tz=UTC)

    if isinstance(org, Portal):
        portal = org
        portal.clock = clock
    else:
        portal = Portal(clock=clock)
        if org is not None:
            from sandbox.hubspot.org import render_org
            render_org(org, portal)
    app = build_app(portal, tokens=runtime.tokens, record_fault=runtime.faults.record_fault,
                    token_ttl=runtime.tokens.ttl_seconds)
    return app, portal


def load_data(directory: Path) -> Portal:
    """`--data DIR`: a portal from JSON files per object type (see sandbox.hubspot.data_loader)."""
    from sandbox.hubspot.data_loader import load_portal
    return load_portal(Path(directory))


def export_org(portal: Portal, directory: Path) -> None:
    """Write a portal in the `--data` format, so a test can round-trip it."""
    from sandbox.hubspot.data_loader import export_portal
    export_portal(portal, Path(directory))
