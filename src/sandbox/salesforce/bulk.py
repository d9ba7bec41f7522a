"""Bulk API 2.0 query jobs: create (the query runs then, on a snapshot), poll until JobComplete, read CSV
results in pages with `Sforce-Locator` ("null" on the last page) and `Sforce-NumberOfRecords`, abort,
delete. COUNT() and OFFSET are refused as the real API refuses them."""

from __future__ import annotations

import base64
import csv
import io
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from sandbox.salesforce.context import OrgContext, json_body, ok, version_of
from sandbox.salesforce.errors import ApiError, json_parser_error
from sandbox.salesforce.soql import parse
from sandbox.salesforce.soql_eval import Result, execute
from sandbox.salesforce.values import format_datetime

DELIMITERS = {"COMMA": ",", "TAB": "\t", "PIPE": "|", "SEMICOLON": ";", "CARET": "^", "BACKQUOTE": "`"}
LINE_ENDINGS = {"LF": "\n", "CRLF": "\r\n"}
DAILY_QUERY_JOBS = 10_000


@dataclass
class QueryJob:
    resource: dict[str, Any]  # the job as the API shows it (id, state, operation, ...)
    result: Result | None
    polls_left: int  # GETs still to answer InProgress, so a client's polling loop runs as against a real org

    def poll(self, now: str) -> None:
        """One status read: InProgress while polls are left, then JobComplete (stamped `now`)."""
        resource = self.resource
        if resource["state"] not in ("UploadComplete", "InProgress"):
            return
        if self.polls_left > 0:
            self.polls_left -= 1
            resource["state"] = "InProgress"
        else:
            resource["state"] = "JobComplete"
            resource["systemModstamp"] = now

    def csv_page(self, start: int, max_records: int) -> tuple[str, int]:
        """Result rows from `start` as CSV in the job's delimiter and line ending, header first; (text, rows)."""
        assert self.result is not None
        rows = self.result.rows[start:start + max_records]
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter=DELIMITERS[self.resource["columnDelimiter"]],
                            lineterminator=LINE_ENDINGS[self.resource["lineEnding"]], quoting=csv.QUOTE_ALL)
        writer.writerow(self.result.header())
        for row in rows:
            writer.writerow(self.result.csv_row(row))
        return buffer.getvalue(), len(rows)


def _locator(offset: int) -> str:
    return base64.b64encode(str(offset).encode()).decode().rstrip("=")


def _offset(locator: str) -> int:
    try:
        return int(base64.b64decode(locator + "=" * (-len(locator) % 4)).decode())
    except ValueError:
        raise ApiError(400, "INVALIDLOCATOR", "Invalid locator", []) from None


def _job_error(message: str, status: int = 400) -> ApiError:
    return ApiError(status, "API_ERROR" if status == 400 else "NOT_FOUND", message)


class BulkQueryHandlers:
    """The handlers of `/jobs/query` over one org; one method per endpoint (path and HTTP method)."""

    def __init__(self, ctx: OrgContext) -> None:
        self.ctx = ctx

    def _job(self, request: Request) -> QueryJob:
        job: QueryJob | None = self.ctx.bulk_jobs.get(request.path_params["job_id"])
        if job is None:
            raise ApiError(404, "NOT_FOUND", "The requested resource does not exist")
        return job

    async def create(self, request: Request) -> JSONResponse:
        ctx = self.ctx
        version = version_of(request)
        payload = await json_body(request) or {}
        if not isinstance(payload, dict):
            raise json_parser_error("query job from a non-object value")
        operation, soql = payload.get("operation"), payload.get("query")
        if operation not in ("query", "queryAll") or not soql:
            raise _job_error("InvalidJob : operation must be query or queryAll and a query is required")
        delimiter = payload.get("columnDelimiter", "COMMA")
        ending = payload.get("lineEnding", "LF")
        if delimiter not in DELIMITERS or ending not in LINE_ENDINGS:
            raise _job_error("InvalidJob : unsupported columnDelimiter or lineEnding")
        parsed = parse(soql)
        if parsed.count or parsed.offset is not None:
            raise _job_error("InvalidJob : Bulk API 2.0 query does not support COUNT() or OFFSET")
        result = execute(ctx.store, soql, include_deleted=operation == "queryAll", access=ctx.access())
        with ctx.lock:
            if ctx.bulk_jobs_today >= DAILY_QUERY_JOBS:
                raise ApiError(400, "LIMIT_EXCEEDED", "Max bulk v2 query jobs exceeded")
            ctx.bulk_jobs_today += 1
        now = format_datetime(ctx.now())
        resource = {"id": ctx.store.ids.new("750"), "operation": operation, "object": result.sobject.name,
                "createdById": ctx.store.api_user_id, "createdDate": now, "systemModstamp": now,
                "state": "UploadComplete", "concurrencyMode": "Parallel", "contentType": "CSV",
                "apiVersion": float(version), "lineEnding": ending, "columnDelimiter": delimiter}
        ctx.bulk_jobs[resource["id"]] = QueryJob(resource, result, ctx.bulk_polls_in_progress)
        return ok(resource)

    async def get_job(self, request: Request) -> Response:
        version_of(request)
        query_job = self._job(request)
        resource = query_job.resource
        query_job.poll(format_datetime(self.ctx.now()))
        body = dict(resource)
        if resource["state"] == "JobComplete":
            body.update(numberRecordsProcessed=len(query_job.result.rows) if query_job.result else 0,
                        retries=0, totalProcessingTime=1)
        return ok(body)

    async def abort_job(self, request: Request) -> Response:
        version_of(request)
        resource = self._job(request).resource
        state = ((await json_body(request)) or {}).get("state")
        if state != "Aborted" or resource["state"] in ("JobComplete", "Failed", "Aborted"):
            raise _job_error(f"InvalidJob : cannot change state from {resource['state']} to {state}")
        resource["state"] = "Aborted"
        return ok(resource)

    async def delete_job(self, request: Request) -> Response:
        version_of(request)
        del self.ctx.bulk_jobs[self._job(request).resource["id"]]
        return Response(status_code=204)

    async def results(self, request: Request) -> Response:
        version_of(request)
        query_job = self._job(request)
        if query_job.resource["state"] != "JobComplete" or query_job.result is None:
            raise _job_error(f"InvalidJob : Job {query_job.resource['id']} is not in JobComplete state")
        max_records = int(request.query_params.get("maxRecords") or 50_000)
        start = _offset(request.query_params["locator"]) if request.query_params.get("locator") else 0
        text, count = query_job.csv_page(start, max_records)
        end = start + count
        headers = {"Sforce-Locator": _locator(end) if end < len(query_job.result.rows) else "null",
                   "Sforce-NumberOfRecords": str(count)}
        return Response(text, media_type="text/csv; charset=UTF-8", headers=headers)

    async def list_jobs(self, request: Request) -> JSONResponse:
        version_of(request)
        return ok({"done": True, "records": [j.resource for j in self.ctx.bulk_jobs.values()],
                   "nextRecordsUrl": None})


def routes(ctx: OrgContext) -> list[Route]:
    """This module's endpoints; each route's name is its endpoint label."""
    # One route per HTTP method; Starlette answers 405 for a path whose routes all refuse the method.
    h = BulkQueryHandlers(ctx)
    base = "/services/data/v{version}/jobs/query"
    return [
        Route(base, h.create, name="bulk_create", methods=["POST"]),
        Route(base, h.list_jobs, name="bulk_job", methods=["GET"]),
        Route(base + "/", h.create, name="bulk_create", methods=["POST"]),
        Route(base + "/{job_id}", h.get_job, name="bulk_job", methods=["GET"]),
        Route(base + "/{job_id}", h.abort_job, name="bulk_job", methods=["PATCH"]),
        Route(base + "/{job_id}", h.delete_job, name="bulk_job", methods=["DELETE"]),
        Route(base + "/{job_id}/results", h.results, name="bulk_results", methods=["GET"]),
    ]
