"""`/limits`: the org's allocations as the REST API reports them, from the runtime's limiter."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from sandbox.salesforce.bulk import DAILY_QUERY_JOBS
from sandbox.salesforce.context import OrgContext, ok, version_of
from sandbox.salesforce.dialect import DEFAULT_DAILY_REQUESTS


class LimitsHandlers:
    """The handler of `/limits` over one org."""

    def __init__(self, ctx: OrgContext) -> None:
        self.ctx = ctx

    async def limits(self, request: Request) -> JSONResponse:
        version_of(request)
        state = self.ctx.runtime.limits.snapshot()
        daily_max = state.daily_max if state.daily_max is not None else DEFAULT_DAILY_REQUESTS
        jobs_left = DAILY_QUERY_JOBS - self.ctx.bulk_jobs_today
        return ok({
            "DailyApiRequests": {"Max": daily_max, "Remaining": max(daily_max - state.daily_used, 0)},
            "DailyBulkV2QueryJobs": {"Max": DAILY_QUERY_JOBS, "Remaining": jobs_left},
            "DailyBulkV2QueryFileStorageMB": {"Max": 976562, "Remaining": 976562},
            "DailyBulkApiBatches": {"Max": 15000, "Remaining": 15000},
            "DataStorageMB": {"Max": 5120, "Remaining": 5120},
            "FileStorageMB": {"Max": 5120, "Remaining": 5120},
            "SingleEmail": {"Max": 5000, "Remaining": 5000},
        })


def routes(ctx: OrgContext) -> list[Route]:
    """This module's endpoints; each route's name is its endpoint label."""
    h = LimitsHandlers(ctx)
    return [Route("/services/data/v{version}/limits", h.limits, methods=["GET"], name="limits"),
            Route("/services/data/v{version}/limits/", h.limits, methods=["GET"], name="limits")]
