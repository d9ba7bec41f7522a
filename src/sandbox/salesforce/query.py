"""`query` and `queryAll`: SOQL over the store, paged with `nextRecordsUrl`.

A query runs once; its rows are kept under a locator id (`01g...`) and served in batches of 2,000 (or
`Sforce-Query-Options: batchSize=N`, 200..2,000) at `/services/data/vXX.X/query/<locator>-<offset>`.
Records are replaced on write, so later pages show the rows as they were when the query ran.
"""

from __future__ import annotations

import re
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from sandbox.salesforce.context import Cursor, OrgContext, ok, version_of
from sandbox.salesforce.errors import ApiError
from sandbox.salesforce.soql_eval import Result, execute

DEFAULT_BATCH = 2000
MIN_BATCH, MAX_BATCH = 200, 2000
_BATCH_RE = re.compile(r"batchSize\s*=\s*(\d+)", re.IGNORECASE)


def batch_size(request: Request) -> int:
    m = _BATCH_RE.search(request.headers.get("sforce-query-options", ""))
    return min(max(int(m.group(1)), MIN_BATCH), MAX_BATCH) if m else DEFAULT_BATCH


def page(result: Result, start: int, size: int, version: str, next_url: str | None) -> dict[str, Any]:
    if result.count_only:
        return {"totalSize": len(result.rows), "done": True, "records": []}
    rows = result.rows[start:start + size]
    body: dict[str, Any] = {"totalSize": len(result.rows), "done": next_url is None}
    if next_url is not None:
        body["nextRecordsUrl"] = next_url
    render = result.renderer(version)
    body["records"] = [render(r) for r in rows]
    return body


def run_query(ctx: OrgContext, soql: str, include_deleted: bool, version: str, size: int,
              endpoint: str) -> dict[str, Any]:
    result = execute(ctx.store, soql, include_deleted)
    next_url = None
    if not result.count_only and len(result.rows) > size:
        locator = ctx.store.ids.new("01g")
        ctx.open_cursor(locator, Cursor(result, include_deleted, size))
        next_url = f"/services/data/v{version}/{endpoint}/{locator}-{size}"
    return page(result, 0, size, version, next_url)


def routes(ctx: OrgContext) -> list[Route]:
    def first(include_deleted: bool, endpoint: str):  # noqa: ANN202 - a Starlette endpoint
        async def endpoint_fn(request: Request) -> JSONResponse:
            version = version_of(request)
            soql = request.query_params.get("q")
            if not soql:
                raise ApiError(400, "MALFORMED_QUERY", "A query string must be provided.")
            return ok(run_query(ctx, soql, include_deleted, version, batch_size(request), endpoint))
        return endpoint_fn

    def more(endpoint: str):  # noqa: ANN202
        async def endpoint_fn(request: Request) -> JSONResponse:
            version = version_of(request)
            locator, _, offset = request.path_params["locator"].rpartition("-")
            cursor = ctx.cursors.get(locator)
            if cursor is None or not offset.isdigit():
                raise ApiError(400, "INVALID_QUERY_LOCATOR", "invalid query locator")
            start = int(offset)
            end = start + cursor.batch_size
            next_url = (f"/services/data/v{version}/{endpoint}/{locator}-{end}"
                        if end < len(cursor.result.rows) else None)
            return ok(page(cursor.result, start, cursor.batch_size, version, next_url))
        return endpoint_fn

    base = "/services/data/v{version}"
    return [
        Route(base + "/query", first(False, "query"), methods=["GET"]),
        Route(base + "/query/", first(False, "query"), methods=["GET"]),
        Route(base + "/queryAll", first(True, "queryAll"), methods=["GET"]),
        Route(base + "/queryAll/", first(True, "queryAll"), methods=["GET"]),
        Route(base + "/query/{locator}", more("query"), methods=["GET"]),
        Route(base + "/queryAll/{locator}", more("queryAll"), methods=["GET"]),
    ]
