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
    result = execute(ctx.store, soql, include_deleted, ctx.access())
    next_url = None
    if not result.count_only and len(result.rows) > size:
        locator = ctx.store.ids.new("01g")
        ctx.open_cursor(locator, Cursor(result, include_deleted, size))
        next_url = f"/services/data/v{version}/{endpoint}/{locator}-{size}"
    return page(result, 0, size, version, next_url)


class QueryHandlers:
    """The handlers of `query` / `queryAll` and their next pages over one org; one method per endpoint."""

    def __init__(self, ctx: OrgContext) -> None:
        self.ctx = ctx

    async def query(self, request: Request) -> JSONResponse:
        return self._first(request, include_deleted=False, endpoint="query")

    async def query_all(self, request: Request) -> JSONResponse:
        return self._first(request, include_deleted=True, endpoint="queryAll")

    async def query_more(self, request: Request) -> JSONResponse:
        return self._more(request, "query")

    async def query_all_more(self, request: Request) -> JSONResponse:
        return self._more(request, "queryAll")

    def _first(self, request: Request, include_deleted: bool, endpoint: str) -> JSONResponse:
        version = version_of(request)
        soql = request.query_params.get("q")
        if not soql:
            raise ApiError(400, "MALFORMED_QUERY", "A query string must be provided.")
        return ok(run_query(self.ctx, soql, include_deleted, version, batch_size(request), endpoint))

    def _more(self, request: Request, endpoint: str) -> JSONResponse:
        version = version_of(request)
        locator, _, offset = request.path_params["locator"].rpartition("-")
        cursor = self.ctx.cursors.get(locator)
        if cursor is None or not offset.isdigit():
            raise ApiError(400, "INVALID_QUERY_LOCATOR", "invalid query locator")
        start = int(offset)
        end = start + cursor.batch_size
        next_url = (f"/services/data/v{version}/{endpoint}/{locator}-{end}"
                    if end < len(cursor.result.rows) else None)
        return ok(page(cursor.result, start, cursor.batch_size, version, next_url))


def routes(ctx: OrgContext) -> list[Route]:
    """This module's endpoints; each route's name is its endpoint label."""
    h = QueryHandlers(ctx)
    base = "/services/data/v{version}"
    return [
        Route(base + "/query", h.query, methods=["GET"], name="query"),
        Route(base + "/query/", h.query, methods=["GET"], name="query"),
        Route(base + "/queryAll", h.query_all, methods=["GET"], name="query_all"),
        Route(base + "/queryAll/", h.query_all, methods=["GET"], name="query_all"),
        Route(base + "/query/{locator}", h.query_more, methods=["GET"], name="query_more"),
        Route(base + "/queryAll/{locator}", h.query_all_more, methods=["GET"], name="query_all_more"),
    ]
