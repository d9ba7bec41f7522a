"""`/limits`: the org's allocations as the REST API reports them, from the runtime's limiter."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from sandbox.salesforce.bulk import DAILY_QUERY_JOBS
from sandbox.salesforce.context import OrgContext, ok, version_of
from sandbox.salesforce.dialect import DEFAULT_DAILY_REQUESTS


def routes(ctx: OrgContext) -> list[Route]:
    async def limits(request: Request) -> JSONResponse:
        version_of(request)
        state = ctx.runtime.limits.snapshot()
        daily_max = state.daily_max if state.daily_max is not None else DEFAULT_DAILY_REQUESTS
        return ok({
            "DailyApiRequests": {"Max": daily_max, "Remaining": max(daily_max - state.daily_used, 0)},
            "DailyBulkV2QueryJobs": {"Max": DAILY_QUERY_JOBS, "Remaining": DAILY_QUERY_JOBS - ctx.bulk_jobs_today},
            "DailyBulkV2QueryFileStorageMB": {"Max": 976562, "Remaining": 976562},
            "DailyBulkApiBatches": {"Max": 15000, "Remaining": 15000},
            "DataStorageMB": {"Max": 5120, "Remaining": 5120},
            "FileStorageMB": {"Max": 5120, "Remaining": 5120},
            "SingleEmail": {"Max": 5000, "Remaining": 5000},
        })

    return [Route("/services/data/v{version}/limits", limits, methods=["GET"]),
            Route("/services/data/v{version}/limits/", limits, methods=["GET"])]
