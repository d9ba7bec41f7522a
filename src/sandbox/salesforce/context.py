"""State one Salesforce sandbox instance shares between its endpoint modules."""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse

from sandbox.instance import Runtime
from sandbox.json_response import FastJSONResponse
from sandbox.salesforce.errors import ApiError
from sandbox.salesforce.field_security import FieldAccess, field_access
from sandbox.salesforce.soql_eval import Result
from sandbox.salesforce.store import Store
from sandbox.salesforce.values import epoch_millis

API_VERSIONS = [f"{v}.0" for v in range(50, 63)]
MAX_OPEN_CURSORS = 500


@dataclass
class Cursor:
    result: Result
    include_deleted: bool
    batch_size: int


@dataclass
class OrgContext:
    store: Store
    runtime: Runtime
    tooling: Store | None = None
    cursors: OrderedDict[str, Cursor] = field(default_factory=OrderedDict)
    bulk_jobs: dict[str, Any] = field(default_factory=dict)
    bulk_jobs_today: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)
    # How many GETs of a new Bulk API 2.0 query job answer InProgress before JobComplete.
    bulk_polls_in_progress: int = 1
    # Field-level security applies to the org's API user; the Tooling API's own store has none.
    enforce_field_security: bool = True

    def access(self) -> FieldAccess | None:
        """What the API user may read and edit now (permission sets can change between requests)."""
        if not self.enforce_field_security:
            return None
        return field_access(self.store, self.store.api_user_id)

    def now(self) -> datetime:
        return epoch_millis(self.runtime.clock())

    def open_cursor(self, locator: str, cursor: Cursor) -> None:
        with self.lock:
            self.cursors[locator] = cursor
            while len(self.cursors) > MAX_OPEN_CURSORS:
                self.cursors.popitem(last=False)


def version_of(request: Request) -> str:
    version = str(request.path_params.get("version", ""))
    if version not in API_VERSIONS:
        raise ApiError(404, "NOT_FOUND", "The requested resource does not exist")
    return version


async def json_body(request: Request) -> Any:
    raw = await request.body()
    if not raw:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        raise ApiError(400, "JSON_PARSER_ERROR", "Unexpected character: was expecting a JSON value at "
                                                 "[line:1, column:1]") from None


def ok(body: Any, status: int = 200) -> JSONResponse:
    return FastJSONResponse(body, status_code=status)
