"""The glue both sandbox CRMs plug into: one `Runtime` per instance and the `Sandbox` facade.

    from sandbox.runtime import Sandbox
    with Sandbox(crm="salesforce", org=org, faults="503@calls=2", instance="acme") as sb:
        sb.base_url, sb.token, sb.ca_file      # point a real client here
        sb.ledger.count("query")               # what it called
        sb.store                               # the CRM app's records: edit between runs

`crm` is a CRM app package name ("salesforce" → `sandbox.salesforce`, imported lazily) or any object with
`DIALECT` and `build` (see `sandbox.plugin` for the contract). `app_factory` / `dialect` override them,
which is how tests plug in a dummy app. `Runtime` lives in `sandbox.instance` (re-exported here) so the
middleware and the CRM apps name it without importing this module.
"""

from __future__ import annotations

import importlib
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any, Self

from starlette.applications import Starlette

from sandbox.clock import Clock, system_clock
from sandbox.dialect import Dialect
from sandbox.faults import FaultPlan
from sandbox.instance import Runtime
from sandbox.ledger import Ledger
from sandbox.limits import LimitConfig, RateLimiter
from sandbox.middleware import SandboxMiddleware
from sandbox.plugin import AppFactory, CrmPlugin, SandboxSetupError
from sandbox.server import SandboxServer
from sandbox.tls import TlsFiles, ensure_tls
from sandbox.tokens import IssuedToken, TokenStore

__all__ = ["KNOWN_CRMS", "RunningSandbox", "Runtime", "Sandbox", "load_plugin"]

KNOWN_CRMS = ("salesforce", "hubspot")


def load_plugin(crm: str) -> ModuleType:
    """Import a CRM app package by name, with a clear error when it is not there."""
    if crm not in KNOWN_CRMS:
        raise SandboxSetupError(f"unknown CRM {crm!r}: choose one of {', '.join(KNOWN_CRMS)}")
    try:
        return importlib.import_module(f"sandbox.{crm}")
    except ModuleNotFoundError as error:
        if error.name in (f"sandbox.{crm}",):
            raise SandboxSetupError(f"the {crm} sandbox app (package sandbox.{crm}) is not installed "
                                    "in this build") from None
        raise


@dataclass
class RunningSandbox:
    """A started sandbox: what a test or the CLI needs to point a client at it."""

    crm: str
    instance: str
    base_url: str
    token: str  # a valid access token, issued at start
    refresh_token: str
    ca_file: str  # PEM of the CA the client must trust
    client_id: str | None  # the sandbox's own throwaway OAuth client, where the CRM uses OAuth
    client_secret: str | None
    store: Any  # the CRM app's record store
    runtime: Runtime
    server: SandboxServer = field(repr=False)
    owner: Any = field(default=None, repr=False)  # keeps the Sandbox (and its temp state dir) alive

    @property
    def ledger(self) -> Ledger:
        return self.runtime.ledger

    @property
    def tokens(self) -> TokenStore:
        return self.runtime.tokens

    @property
    def faults(self) -> FaultPlan:
        return self.runtime.faults

    @property
    def limits(self) -> RateLimiter:
        return self.runtime.limits

    def issue_token(self) -> IssuedToken:
        """Another valid access token (a second client, or after an expiry in a test)."""
        return self.runtime.tokens.issue()

    def connection(self) -> dict[str, str | None]:
        """The JSON the CLI prints: how to reach this sandbox."""
        return {
            "crm": self.crm,
            "base_url": self.base_url,
            "token": self.token,
            "refresh_token": self.refresh_token,
            "ca_file": self.ca_file,
            "client_id": self.client_id,
            "client_secret": self.client_secret,
            "instance": self.instance,
        }

    def stop(self) -> None:
        self.server.stop()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


class Sandbox:
    """Assembles a sandbox CRM instance; `start()` serves it in a background thread."""

    def __init__(
        self,
        crm: str | CrmPlugin,
        org: Any = None,
        *,
        faults: FaultPlan | str | None = None,
        limits: LimitConfig | str | None = None,
        instance: str | None = None,
        app_factory: AppFactory | None = None,
        dialect: Dialect | None = None,
        state_dir: str | Path | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        clock: Clock = system_clock,
        token_ttl: float | None = None,
        seed: int = 0,
    ) -> None:
        plugin: ModuleType | CrmPlugin | None = crm if not isinstance(crm, str) else (
            load_plugin(crm) if app_factory is None or dialect is None else None)
        if dialect is None:
            assert plugin is not None
            dialect = plugin.DIALECT
        if app_factory is None:
            assert plugin is not None
            app_factory = plugin.build
        self.dialect: Dialect = dialect
        self.app_factory: AppFactory = app_factory
        self.crm = crm if isinstance(crm, str) else self.dialect.name
        self.org = org
        self.instance = instance or self.crm
        self.host, self.port = host, port
        self._tempdir: tempfile.TemporaryDirectory[str] | None = None
        if state_dir is None:
            self._tempdir = tempfile.TemporaryDirectory(prefix="crm-kpi-sandbox-")
            state_dir = self._tempdir.name
        self.state_dir = Path(state_dir)
        if isinstance(limits, str):
            limits = LimitConfig.parse(limits, base=self.dialect.default_limits())
        fault_plan = faults if isinstance(faults, FaultPlan) else FaultPlan.parse(faults, seed=seed)
        self.runtime = Runtime(
            instance=self.instance,
            dialect=self.dialect,
            clock=clock,
            ledger=Ledger(self.instance),
            tokens=TokenStore(clock, ttl_seconds=token_ttl, prefix=self.dialect.token_prefix),
            limits=RateLimiter(limits or self.dialect.default_limits(), clock),
            faults=fault_plan,
            state_dir=self.state_dir,
        )

    def _assemble(self) -> tuple[SandboxServer, Any, TlsFiles]:
        tls = ensure_tls(self.state_dir)
        server = SandboxServer(None, tls, host=self.host, port=self.port)
        server.bind()
        self.runtime.base_url = server.base_url
        try:
            app, store = self.app_factory(self.org, self.runtime)
        except BaseException:
            server.stop()  # release the bound port
            raise
        # Endpoint labels are the route names of a Starlette app; a bare ASGI app's calls are all unmatched.
        routes = app.routes if isinstance(app, Starlette) else []
        server.app = SandboxMiddleware(app, self.runtime, routes)
        return server, store, tls

    def _running(self, server: SandboxServer, store: Any, tls: TlsFiles) -> RunningSandbox:
        issued = self.runtime.tokens.issue()
        oauth = self.dialect.uses_oauth_client
        return RunningSandbox(
            crm=self.crm,
            instance=self.instance,
            base_url=server.base_url,
            token=issued.access_token,
            refresh_token=issued.refresh_token,
            ca_file=str(tls.ca_file),
            client_id=self.runtime.tokens.client_id if oauth else None,
            client_secret=self.runtime.tokens.client_secret if oauth else None,
            store=store,
            runtime=self.runtime,
            server=server,
            owner=self,
        )

    def start(self) -> RunningSandbox:
        """Serve in a background thread; returns once it accepts connections."""
        server, store, tls = self._assemble()
        running = self._running(server, store, tls)
        server.start()
        return running

    def serve_forever(self, on_ready: Callable[[RunningSandbox], object] | None = None) -> None:
        """Serve in the foreground until SIGINT / SIGTERM; `on_ready(running)` once it accepts connections."""
        server, store, tls = self._assemble()
        running = self._running(server, store, tls)

        def ready() -> None:
            if on_ready is not None:
                on_ready(running)

        server.serve_forever(ready)

    def __enter__(self) -> RunningSandbox:
        self._running_sandbox = self.start()
        return self._running_sandbox

    def __exit__(self, *exc: object) -> None:
        self._running_sandbox.stop()
