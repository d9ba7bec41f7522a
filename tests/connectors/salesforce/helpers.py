"""Reading a whole stream the way the sync does, for assertions."""

from __future__ import annotations

from typing import Any

from connectors.base import Batch, Cursor
from connectors.salesforce import SalesforceConnector
from connectors.salesforce.streams import BY_NAME


def read(connector: SalesforceConnector, name: str, cursor: Cursor | None = None,
         full: bool = False) -> tuple[list[Any], Cursor | None, list[Batch]]:
    """(records, the last batch's cursor, batches) of stream `name` from `cursor`."""
    batches = list(connector.extract(BY_NAME[name], cursor, full=full))
    records = [r for b in batches for r in b.records]
    last = next((b.cursor for b in reversed(batches) if b.cursor is not None), cursor)
    return records, last, batches


def by_id(records: list[Any]) -> dict[str, Any]:
    return {r.id: r for r in records}
