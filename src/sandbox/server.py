"""Serve an ASGI app over HTTPS with uvicorn: in a background thread (tests, benches) or in the
foreground (`crm-kpi sandbox`).

The listening socket is bound before uvicorn starts, so the real port of `port=0` is known at once and
the CRM app can be built with its final base URL. Logs are quiet (warnings only) and no `server:` header
is sent, as neither CRM sends uvicorn's.
"""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Callable
from types import FrameType
from typing import Self

import uvicorn
from starlette.types import ASGIApp

from sandbox.tls import TlsFiles

START_TIMEOUT_SECONDS = 10.0
STOP_TIMEOUT_SECONDS = 10.0


class _Server(uvicorn.Server):
    """uvicorn's server with a ready hook and a main loop that wakes at once when asked to stop
    (uvicorn polls every 0.1 s; tests start and stop many servers)."""

    def __init__(self, config: uvicorn.Config, on_ready: Callable[[], None]) -> None:
        super().__init__(config)
        self._on_ready = on_ready
        self._loop: asyncio.AbstractEventLoop | None = None
        self._wake: asyncio.Event | None = None

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        self._loop = asyncio.get_running_loop()
        self._wake = asyncio.Event()
        await super().startup(sockets=sockets)
        if not self.should_exit:
            self._on_ready()

    async def main_loop(self) -> None:
        assert self._wake is not None
        while not await self.on_tick(0):  # counter 0: refresh the Date header on every wake
            try:
                await asyncio.wait_for(self._wake.wait(), timeout=1.0)
            except TimeoutError:
                pass

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        # Idle keep-alive TLS connections would wait for the client's close_notify, which a pooled
        # client never sends: abort them so stopping takes milliseconds, not the graceful timeout.
        for connection in list(self.server_state.connections):
            transport = getattr(connection, "transport", None)
            cycle = getattr(connection, "cycle", None)
            if transport is not None and (cycle is None or getattr(cycle, "response_complete", False)):
                transport.abort()
        await super().shutdown(sockets=sockets)

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        # Ctrl-C / SIGTERM end the foreground sandbox normally (exit 0): uvicorn would re-raise the
        # signal after shutdown, ending the process with -SIGTERM or a KeyboardInterrupt.
        super().handle_exit(sig, frame)
        self._captured_signals.clear()
        self.request_exit()

    def request_exit(self) -> None:
        self.should_exit = True
        if self._loop is not None and self._wake is not None and not self._loop.is_closed():
            try:
                self._loop.call_soon_threadsafe(self._wake.set)
            except RuntimeError:  # loop closed in between: it is stopping anyway
                pass


def bind_socket(host: str = "127.0.0.1", port: int = 0) -> socket.socket:
    """A listening TCP socket; port 0 picks a free port."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # proto=IPPROTO_TCP, not 0: asyncio sets TCP_NODELAY only on sockets that say they are TCP, and
    # without it every small response waits ~40 ms for the client's delayed ACK (headers and body are
    # written separately).
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
        sock.listen(1024)
    except OSError:
        sock.close()
        raise
    sock.set_inheritable(True)
    return sock


class SandboxServer:
    """One HTTPS server. `bind()` early to learn the port, set `app` if not given, then `start()`
    (background thread) or `serve_forever()` (foreground, stops on Ctrl-C / SIGTERM)."""

    def __init__(self, app: ASGIApp | None, tls: TlsFiles, host: str = "127.0.0.1", port: int = 0) -> None:
        self.app = app
        self.tls = tls
        self.host = host
        self.requested_port = port
        self._sock: socket.socket | None = None
        self._port: int | None = None
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._error: BaseException | None = None

    def bind(self) -> int:
        if self._sock is None:
            self._sock = bind_socket(self.host, self.requested_port)
            self._port = int(self._sock.getsockname()[1])
        assert self._port is not None
        return self._port

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("the server is not bound yet: call bind() or start() first")
        return self._port

    @property
    def base_url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"https://{host}:{self.port}"

    def _make_server(self, on_ready: Callable[[], None]) -> _Server:
        if self.app is None:
            raise RuntimeError("no ASGI app to serve")
        config = uvicorn.Config(
            self.app,
            http="h11",
            loop="asyncio",
            lifespan="off",
            log_config=None,
            log_level="warning",
            access_log=False,
            server_header=False,
            date_header=False,  # the middleware sends `Date` in the CRM's spelling
            ssl_certfile=str(self.tls.cert_file),
            ssl_keyfile=str(self.tls.key_file),
            timeout_graceful_shutdown=2,
        )
        return _Server(config, on_ready)

    def start(self) -> SandboxServer:
        """Serve in a daemon thread; returns once the server accepts connections."""
        if self._thread is not None:
            raise RuntimeError("server already started")
        self.bind()
        self._server = self._make_server(self._ready.set)
        sock = self._sock

        def run() -> None:
            try:
                assert self._server is not None and sock is not None
                self._server.run(sockets=[sock])
            except BaseException as error:  # noqa: BLE001 - re-raised in the starting thread
                self._error = error
            finally:
                self._ready.set()

        self._thread = threading.Thread(target=run, name=f"sandbox-{self.port}", daemon=True)
        self._thread.start()
        if not self._ready.wait(START_TIMEOUT_SECONDS) or self._error is not None or not self._server.started:
            self.stop()
            raise RuntimeError(f"sandbox server on {self.base_url} failed to start: {self._error!r}")
        return self

    def serve_forever(self, on_ready: Callable[[], None] = lambda: None) -> None:
        """Serve in this thread until SIGINT / SIGTERM; `on_ready` runs once connections are accepted."""
        self.bind()
        self._server = self._make_server(on_ready)
        try:
            self._server.run(sockets=[self._sock])  # type: ignore[list-item]
        finally:
            self._close_socket()

    def stop(self) -> None:
        """Stop serving and release the port; safe to call twice."""
        if self._server is not None:
            self._server.request_exit()
        if self._thread is not None:
            self._thread.join(STOP_TIMEOUT_SECONDS)
            self._thread = None
        self._close_socket()

    def _close_socket(self) -> None:
        if self._sock is not None:
            self._sock.close()
            self._sock = None

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
