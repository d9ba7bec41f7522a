"""The store as the permission modules (field and object security) read it: named here so that they
import neither the store nor each other's types."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any, Protocol

from sandbox.salesforce.metadata import SObjectDef
from sandbox.salesforce.record import Record


class PermissionRecords(Protocol):
    """The permission sets, their grants and assignments, and the org's sObjects."""

    @property
    def api_user_id(self) -> str | None: ...
    @property
    def objects(self) -> dict[str, SObjectDef]: ...

    def rows(self, name: str, include_deleted: bool = False) -> Iterator[Record]: ...

    def sobject(self, name: str) -> SObjectDef | None: ...

    def load(self, name: str, rows: Iterable[dict[str, Any]]) -> list[str]: ...
