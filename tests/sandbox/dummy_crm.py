"""A tiny CRM app for the runtime's own tests: a JSON "records" endpoint, an OAuth endpoint, a write
endpoint that asks the fault plan about each record. Not a real CRM's shapes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from sandbox.limits import LimitConfig, LimitState
from sandbox.plugin import DialectBase, SandboxDataError, server_error_handlers
from sandbox.runtime import Runtime


class DummyDialect(DialectBase):
    name = "dummy"
    public_paths = frozenset({"/oauth/token"})
    token_prefix = "dummy!"

    def label(self, method: str, path: str) -> str:
        return {"/records": "records", "/oauth/token": "oauth_token", "/write": "write",
                "/search": "search"}.get(path, "other")

    def counts_against_limits(self, label: str) -> bool:
        return True

    def default_limits(self) -> LimitConfig:
        return LimitConfig(daily_max=1000)

    def limit_headers(self, state: LimitState, label: str) -> dict[str, str]:
        if label == "search":
            return {}
        headers = {"X-Usage": f"{state.daily_used}/{state.daily_max}"}
        if state.burst_max is not None:
            headers["X-Burst-Remaining"] = str(state.burst_remaining)
        return headers

    def rate_limited(self, retry_after: float | None) -> Response:
        headers = {} if retry_after is None else {"Retry-After": str(int(retry_after))}
        return JSONResponse({"error": "rate"}, status_code=429, headers=headers)

    def daily_limit_exceeded(self) -> Response:
        return JSONResponse({"error": "daily"}, status_code=403)

    def server_error(self, status: int) -> Response:
        return JSONResponse({"error": f"server {status}"}, status_code=status)

    def invalid_session(self, expired: bool) -> Response:
        return JSONResponse({"error": "expired" if expired else "invalid"}, status_code=401)


DIALECT = DummyDialect()


def build(org: Any, runtime: Runtime) -> tuple[Starlette, dict[str, dict[str, str]]]:
    store: dict[str, dict[str, str]] = dict(org or {"001": {"Name": "Acme"}, "002": {"Name": "Globex"}})

    async def records(request: Request) -> Response:
        return JSONResponse({"records": [{"id": key, **value} for key, value in sorted(store.items())]})

    async def search(request: Request) -> Response:
        return JSONResponse({"total": len(store)})

    async def write(request: Request) -> Response:
        body = await request.json()
        results = []
        for record_id in body["ids"]:
            fault = runtime.faults.record_fault(record_id)
            results.append({"id": record_id, "success": fault is None, "error": fault and fault.kind})
        return JSONResponse(results)

    async def oauth_token(request: Request) -> Response:
        # Form bodies parsed by hand: Starlette's request.form() needs python-multipart.
        form = dict(parse_qsl((await request.body()).decode()))
        if form.get("grant_type") == "refresh_token":
            issued = runtime.tokens.refresh(str(form.get("refresh_token")))
        elif runtime.tokens.check_client(form.get("client_id"), form.get("client_secret")):
            issued = runtime.tokens.issue()
        else:
            issued = None
        if issued is None:
            return JSONResponse({"error": "invalid_grant"}, status_code=400)
        return JSONResponse({"access_token": issued.access_token, "refresh_token": issued.refresh_token,
                             "instance_url": runtime.base_url})

    async def boom(request: Request) -> Response:
        raise RuntimeError("a bug in the CRM app")

    app = Starlette(routes=[
        Route("/boom", boom),
        Route("/records", records), Route("/search", search), Route("/write", write, methods=["POST"]),
        Route("/oauth/token", oauth_token, methods=["POST"]),
    ], exception_handlers=server_error_handlers(DIALECT))
    return app, store


def load_data(directory: Path) -> dict[str, dict[str, str]]:
    """Records from `records.json` ({id: {field: value}}), for the CLI's --data path."""
    path = directory / "records.json"
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError) as error:
        raise SandboxDataError(f"{path}: {error}") from None
