"""Settings for a sandbox org, and reading a whole stream the way the sync does, for assertions."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from connectors.base import Batch, Cursor
from connectors.config import InstanceConfig
from connectors.salesforce import SalesforceConnector
from connectors.salesforce.streams import BY_NAME
from sandbox.runtime import RunningSandbox
from sandbox.salesforce.standard_objects import FIELD_MAPPING


def instance_for(sb: RunningSandbox, **settings: Any) -> InstanceConfig:
    """Client-credentials settings for `sb`; the secrets go to environment variables named here."""
    prefix = f"SF_TEST_{sb.runtime.base_url.rsplit(':', 1)[-1]}"
    os.environ[f"{prefix}_ID"] = str(sb.client_id)
    os.environ[f"{prefix}_SECRET"] = str(sb.client_secret)
    values: dict[str, Any] = {
        "name": "acme-sf",
        "crm": "salesforce",
        "url": sb.base_url,
        "auth": "client_credentials",
        "client_id_env": f"{prefix}_ID",
        "client_secret_env": f"{prefix}_SECRET",
        "ca_file": Path(sb.ca_file),
        "field_mapping": FIELD_MAPPING,
    } | settings
    return InstanceConfig(**values)


def no_sleep(seconds: float) -> None:
    """Back-off without waiting: the sandbox answers at once, and tests assert counts, not time."""


def read(
    connector: SalesforceConnector, name: str, cursor: Cursor | None = None, full: bool = False
) -> tuple[list[Any], Cursor | None, list[Batch]]:
    """(records, the last batch's cursor, batches) of stream `name` from `cursor`."""
    batches = list(connector.extract(BY_NAME[name], cursor, full=full))
    records = [r for b in batches for r in b.records]
    last = next((b.cursor for b in reversed(batches) if b.cursor is not None), cursor)
    return records, last, batches


def by_id(records: list[Any]) -> dict[str, Any]:
    return {r.id: r for r in records}
