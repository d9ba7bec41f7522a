"""The contract between the shared runtime and a CRM app (`sandbox.salesforce`, `sandbox.hubspot`).

A CRM app package exposes, at its top level:

    DIALECT: Dialect                                        (sandbox.dialect)
        How that CRM labels endpoints, which are public, which headers show limits, and its real error
        bodies. Subclass `DialectBase` and fill in the error responses.
    def build(org, runtime: Runtime) -> tuple[Starlette, store]
        The CRM's Starlette app over `org` (the generator's Org, or what `load_data` returned; None means an
        empty org) and the record store a test edits between runs. Every route is named with its endpoint
        label (`Route(path, handler, methods=[...], name="query")`): the dialect labels requests by
        matching the app's own routes. The runtime wraps the app: the app never checks bearer tokens,
        counts limits or applies request faults itself. It does use `runtime.tokens` in its OAuth
        endpoint, `runtime.faults.record_fault(record_id)` before writing each record,
        `runtime.limits.snapshot()` for a `/limits`-style endpoint, and `runtime.base_url`, `runtime.clock`.
    def load_data(directory: pathlib.Path) -> org          (what `crm-kpi sandbox --data DIR` serves)
        Read an org from files in the CRM's export format; raise SandboxDataError naming file, row and
        column for anything malformed.

The runtime calls `build` once per sandbox instance, after the port is bound (so `runtime.base_url` is
final) and before serving.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp

from sandbox.dialect import Dialect
from sandbox.instance import Runtime


class SandboxDataError(ValueError):
    """An org that cannot be loaded. The message says where: file, row (line) and column or field."""


class SandboxSetupError(RuntimeError):
    """A sandbox that cannot be put together (missing CRM app package, bad options)."""


# A CRM app is a Starlette app (its route names are the endpoint labels); tests may plug in a bare ASGI app,
# whose calls are then all labelled with the dialect's `unmatched_label`.
AppFactory = Callable[[Any, Runtime], tuple[ASGIApp, Any]]


class CrmPlugin(Protocol):
    """What `Sandbox(crm=...)` accepts: a CRM app module, or any object with these attributes."""

    DIALECT: Dialect

    def build(self, org: Any, runtime: Runtime) -> tuple[Starlette, Any]: ...


# What `Starlette(exception_handlers=...)` takes for HTTP errors.
ExceptionHandler = Callable[[Request, Exception], Response | Awaitable[Response]]


def server_error_handlers(dialect: Dialect) -> dict[Any, ExceptionHandler]:
    """`Starlette(exception_handlers=...)` so an unhandled error in a CRM app answers the CRM's own 500 body
    rather than Starlette's text/plain "Internal Server Error"."""

    def answer(request: Request, exc: Exception) -> Response:
        return dialect.server_error(500)

    return {Exception: answer}
