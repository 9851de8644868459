"""Run a sandbox inside this process, on a thread of its own: for tests and fixtures.

`serve` makes the process the sandbox (ready line, signals). Here the sandbox is an object:
`EmbeddedSandbox(settings).start()` binds both ports, builds the app with the same factory,
and serves HTTP and SMTP from an event loop on a new thread, with its own DB thread beside
it. Nothing is shared with other sandboxes in the process (their clocks and databases are
bound per thread: see clock.py and storage/connection.py), so several can run at once, and
starting one costs milliseconds instead of a new interpreter.
"""
from __future__ import annotations

import asyncio
import logging
import threading
from typing import TYPE_CHECKING, Any

from sanic import Sanic

from gclap_sandbox.server.app import create_app, ready_line
from gclap_sandbox.server.smtp import bind_socket
from gclap_sandbox.settings import Settings

if TYPE_CHECKING:
    import httpx

    from gclap_sandbox.client import SandboxClient


class _ThreadLog(logging.Handler):
    """Keeps the log records of one sandbox's own threads (its loop and its DB thread)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.threads: set[int] = set()
        self.lines: list[str] = []
        self.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        if record.thread in self.threads:
            self.lines.append(self.format(record))


class EmbeddedSandbox:
    """A running sandbox in this process; the attributes match `launcher.RunningSandbox`."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.extra: dict[str, Any] = {}
        self.http_url = self.smtp_host = self.api_key = self.db = ""
        self.smtp_port = 0
        self.app: Sanic | None = None
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._ready = threading.Event()
        self._error: BaseException | None = None
        self._log = _ThreadLog()

    # --- the caller's side -----------------------------------------------------------------

    def start(self, timeout: float = 30) -> EmbeddedSandbox:
        http_sock = bind_socket(self.settings.http_host, self.settings.http_port)
        smtp_sock = bind_socket(self.settings.smtp_host, self.settings.smtp_port)
        logging.getLogger("gclap_sandbox").addHandler(self._log)
        self._thread = threading.Thread(target=self._serve, args=(http_sock, smtp_sock),
                                        name="gclap-embedded", daemon=True)
        self._thread.start()
        if not self._ready.wait(timeout) or self._error is not None:
            self.stop()
            raise RuntimeError(f"embedded sandbox did not start: {self._error!r}\n{self.log()}")
        return self

    def stop(self, timeout: float = 30) -> int:
        if self._loop is not None and self._stop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._stop.set)
        if self._thread is not None:
            self._thread.join(timeout)
        logging.getLogger("gclap_sandbox").removeHandler(self._log)
        return 0

    def log(self) -> str:
        return "\n".join(self._log.lines)

    def client(self, api_key: str | None = None, **kw: Any) -> httpx.Client:
        """A plain authenticated `httpx.Client` on the API's base URL."""
        import httpx

        key = self.api_key if api_key is None else api_key
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        return httpx.Client(base_url=self.http_url, headers=headers, timeout=30, **kw)

    def sandbox_client(self, api_key: str | None = None) -> SandboxClient:
        from gclap_sandbox.client import SandboxClient

        return SandboxClient(self.http_url, self.api_key if api_key is None else api_key)

    # --- the sandbox's own thread ----------------------------------------------------------

    def _serve(self, http_sock: Any, smtp_sock: Any) -> None:
        self._log.threads.add(threading.get_ident())
        loop = self._loop = asyncio.new_event_loop()
        try:
            loop.run_until_complete(self._main(http_sock, smtp_sock))
        except BaseException as exc:  # reported to start(); a crash after start is in the log
            self._error = exc
            logging.getLogger("gclap_sandbox").exception("embedded sandbox stopped with an error")
        finally:
            self._ready.set()
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()
            http_sock.close()
            smtp_sock.close()

    async def _main(self, http_sock: Any, smtp_sock: Any) -> None:
        self._stop = asyncio.Event()
        app = self.app = create_app(self.settings, http_sock, smtp_sock)
        ctx = app.ctx.sandbox
        # Sanic's "touch-up" rewrites the Sanic class's own request handler, once per process;
        # with several apps in one process it must stay off (it only saves a few signal checks).
        app.config.TOUCHUP = False
        server = await app.create_server(sock=http_sock, access_log=False)
        assert server is not None
        try:
            await server.startup()
            await server.before_start()
            self._log.threads.add(ctx.db.thread_id)  # known once the DB thread runs
            await server.after_start()
            await server.start_serving()
            ready = ready_line(ctx)
            self.extra = ready
            self.http_url, self.smtp_host = ready["http_url"], ready["smtp_host"]
            self.smtp_port, self.api_key, self.db = ready["smtp_port"], ready["api_key"], ready["db"]
            self._ready.set()
            await self._stop.wait()
        finally:
            await server.before_stop()
            server.close()
            await server.wait_closed()
            await _close_connections(server.connections)
            await server.after_stop()
            Sanic.unregister_app(app)  # type: ignore[arg-type]


async def _close_connections(connections: set[Any], grace: float = 1.0) -> None:
    """As Sanic's runner does at shutdown: idle connections now, busy ones after a grace period."""
    for connection in list(connections):
        connection.close_if_idle()
    deadline = asyncio.get_running_loop().time() + grace
    while connections and asyncio.get_running_loop().time() < deadline:
        await asyncio.sleep(0.01)
    for connection in list(connections):
        connection.abort()
    await asyncio.sleep(0)  # let the transports' connection_lost callbacks run before the loop closes
