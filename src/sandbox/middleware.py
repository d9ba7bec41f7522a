"""The request pipeline every sandbox CRM shares, as one pure ASGI middleware around the CRM app.

Per request, in this order:
  1. label it (the dialect, by matching the app's own routes) and count it against the fault rules;
  2. a slow fault waits; an `expire` fault invalidates every access token;
  3. non-public paths need a valid bearer token, else the dialect's 401;
  4. a terminal fault answers instead of the app (429, daily, 500, 503) or drops the connection;
  5. calls that count take a slot of the daily and burst limits, else the dialect's limit answer;
  6. the app answers; counted calls get the dialect's limit headers on whatever answer they got;
  7. every header name is written in the CRM's spelling (`sandbox.header_casing`) and a `Date` added;
  8. the ledger records method, path, label, status (0 for a dropped connection) and arrival time,
     as the status line is sent (before the client can see the response).
Faulted and 401 calls do not use the allocation, like a gateway refusing before the API counts.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Sequence
from email.utils import formatdate

from starlette.responses import Response
from starlette.routing import BaseRoute
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sandbox.faults import FaultRule
from sandbox.header_casing import HeaderCasing
from sandbox.instance import Runtime
from sandbox.ledger import DROPPED
from sandbox.limits import Refusal
from sandbox.tokens import TokenStatus

DROP_SETTLE_SECONDS = 0.2

logger = logging.getLogger("sandbox")


def bearer_token(scope: Scope) -> str | None:
    for name, value in scope.get("headers", []):
        if name == b"authorization":
            scheme, _, token = value.decode("latin-1").partition(" ")
            return token.strip() if scheme.lower() == "bearer" else None
    return None


async def drop_connection(send: Send) -> None:
    """Close the TCP connection without a byte of response, so the client sees it dropped.

    uvicorn hands the app its protocol cycle's bound `send`, which holds the transport: aborting it is
    what a real network failure looks like. We then wait for uvicorn to notice the disconnect, or it would
    log an error and try to answer 500. Under another server, fall back to sending headers then failing,
    which also makes the server close the connection mid-response.
    """
    cycle = getattr(send, "__self__", None)
    transport = getattr(cycle, "transport", None)
    if transport is not None:
        transport.abort()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + DROP_SETTLE_SECONDS
        while not getattr(cycle, "disconnected", True) and loop.time() < deadline:
            await asyncio.sleep(0.001)
        return
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"1024")]})
    raise ConnectionAbortedError("sandbox fault: connection dropped")


class SandboxMiddleware:
    """Wraps one CRM app with the shared pipeline. Must be the outermost ASGI layer (see drop_connection).
    `routes` are the app's routes, whose names are the endpoint labels."""

    def __init__(self, app: ASGIApp, runtime: Runtime, routes: Sequence[BaseRoute] = ()) -> None:
        self.app = app
        self.runtime = runtime
        self.routes = list(routes)
        self.casing = HeaderCasing(runtime.dialect.header_names)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        runtime = self.runtime
        method, path = scope["method"], scope["path"]
        label = runtime.dialect.label(self.routes, scope)
        public = runtime.dialect.is_public(label)
        arrived = runtime.clock()
        outcome = _Outcome(send, lambda status: runtime.ledger.record(method, path, label, status, arrived),
                           self.casing)
        try:
            await self._handle(scope, receive, outcome, label, public)
        finally:
            outcome.record()  # no-op if the response start already recorded it

    async def _handle(self, scope: Scope, receive: Receive, outcome: _Outcome, label: str, public: bool) -> None:
        runtime, dialect = self.runtime, self.runtime.dialect
        faults = runtime.faults.on_request(label, public)
        counted = not public and dialect.counts_against_limits(label)
        if faults.delay:
            await asyncio.sleep(faults.delay)
        if faults.expire:
            runtime.tokens.expire_all()
        if not public:
            status = runtime.tokens.check(bearer_token(scope))
            if status is not TokenStatus.VALID:
                await self._answer(dialect.invalid_session(status is TokenStatus.EXPIRED), scope, receive, outcome)
                return
        if faults.action is not None:
            if counted:
                outcome.headers = dialect.limit_headers(runtime.limits.snapshot(), label)
            await self._fault(faults.action, scope, receive, outcome)
            return
        if counted:
            verdict = runtime.limits.acquire()
            outcome.headers = dialect.limit_headers(verdict.state, label)
            if verdict.refusal is not None:
                await self._answer(self._refusal(verdict.refusal, verdict.retry_after),
                                   scope, receive, outcome)
                return
        try:
            await self.app(scope, receive, outcome.send)
        except Exception:
            # A bug in the CRM app: log it, and answer in the CRM's words if nothing was sent yet. Starlette
            # apps answer 500 themselves (see plugin.server_error_handlers) and re-raise: the answer is out.
            logger.exception("sandbox %s: the CRM app failed on %s %s", runtime.instance, scope["method"],
                             scope["path"])
            if not outcome.started:
                await self._answer(dialect.server_error(500), scope, receive, outcome)
            elif not outcome.complete:
                raise  # uvicorn closes a half-sent response's connection

    def _refusal(self, refusal: Refusal, retry_after: float | None) -> Response:
        dialect = self.runtime.dialect
        if refusal is Refusal.DAILY:
            return dialect.daily_limit_exceeded()
        return dialect.rate_limited(retry_after)

    async def _fault(self, rule: FaultRule, scope: Scope, receive: Receive, outcome: _Outcome) -> None:
        dialect = self.runtime.dialect
        if rule.kind == "drop":
            outcome.record()  # in the ledger before the client can notice the drop
            await drop_connection(outcome.raw_send)
            return
        answers: dict[str, Callable[[], Response]] = {
            "429": lambda: dialect.rate_limited(rule.retry_after),
            "daily": dialect.daily_limit_exceeded,
            "500": lambda: dialect.server_error(500),
            "503": lambda: dialect.server_error(503),
        }
        await self._answer(answers[rule.kind](), scope, receive, outcome)

    @staticmethod
    async def _answer(response: Response, scope: Scope, receive: Receive, outcome: _Outcome) -> None:
        await response(scope, receive, outcome.send)


def http_date(now: Callable[[], float] = time.time) -> str:
    """The `Date` header's value, formatted once per second (as uvicorn does for its own)."""
    second = int(now())
    if _DATE[0] != second:
        _DATE[:] = [second, formatdate(second, usegmt=True)]
    return str(_DATE[1])


_DATE: list[int | str] = [-1, ""]


class _Outcome:
    """The `send` the app sees: adds the limit headers and records the call in the ledger as the status
    line goes out, so a client that has its response always finds the call already recorded."""

    def __init__(self, raw_send: Send, recorder: Callable[[int], object], casing: HeaderCasing) -> None:
        self.raw_send = raw_send
        self.casing = casing
        self._recorder = recorder
        self._recorded = False
        self.status = DROPPED
        self.started = False
        self.complete = False
        self.headers: dict[str, str] = {}

    async def send(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.status = int(message["status"])
            self.started = True
            self.record()
            headers = [(bytes(name), bytes(value)) for name, value in message.get("headers", [])]
            present = {name.lower() for name, _ in headers}
            extra = {**self.headers, "date": http_date()}  # uvicorn's own is off (server.py)
            headers += [(name.encode("latin-1"), value.encode("latin-1")) for name, value in extra.items()
                        if name.lower().encode("latin-1") not in present]
            message = {**message, "headers": self.casing.apply(headers)}
        elif message["type"] == "http.response.body" and not message.get("more_body", False):
            self.complete = True
        await self.raw_send(message)

    def record(self) -> None:
        if not self._recorded:
            self._recorded = True
            self._recorder(self.status)
