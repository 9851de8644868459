"""Start and stop one sandbox: bind both ports, build the app, run until a signal."""
from __future__ import annotations

import asyncio
import json
import logging
import signal
import socket
import sys
from typing import Any, Callable

from gclap_sandbox.server import collector, preflight
from gclap_sandbox.server.preflight import StartupError
from gclap_sandbox.settings import Settings, database_label

log = logging.getLogger("gclap_sandbox")


def serve(settings: Settings) -> None:
    """Run until a signal. Raises StartupError (one line: what failed, what to do) when it cannot start."""
    from gclap_sandbox.server.app import create_app
    from gclap_sandbox.server.smtp import bind_socket
    from gclap_sandbox.storage.migrations import DatabaseTooNew

    preflight.check(settings)
    http_sock = _bind("HTTP", "--http", settings.http_host, settings.http_port, bind_socket)
    smtp_sock = _bind("SMTP", "--smtp", settings.smtp_host, settings.smtp_port, bind_socket)
    if settings.exposed:
        log.warning("Listening on a non-loopback address: anyone who can reach this machine can "
                    "read the captured mail and send through the API.")
    app = create_app(settings, http_sock, smtp_sock)
    collector.tune_for_serving()
    started = _QuietUntilStarted()

    async def announce(app: Any) -> None:
        started.done = True
        await _announce(app)

    app.after_server_start(announce)
    sanic_errors = logging.getLogger("sanic.error")
    sanic_errors.addFilter(started)
    try:
        app.run(sock=http_sock, single_process=True, access_log=False, motd=False)
    except Exception as exc:
        if started.done:
            raise
        log.debug("the sandbox could not start", exc_info=True)
        if isinstance(exc, DatabaseTooNew):
            raise StartupError(f"cannot use the database {database_label(settings.db_path)}: {exc}. It was left unchanged: "
                               "run the newer release with it, or pass --db another file.") from None
        raise StartupError(f"the sandbox could not start: {type(exc).__name__}: {exc}; "
                           "run with --log-level debug to see where (the database file? try --db :memory:)") from None
    finally:
        sanic_errors.removeFilter(started)


class _QuietUntilStarted(logging.Filter):
    """Sanic logs a failure while starting with its traceback; `serve` says it in one line instead."""

    def __init__(self) -> None:
        super().__init__()
        self.done = False

    def filter(self, record: logging.LogRecord) -> bool:
        return self.done or record.levelno < logging.ERROR


async def _announce(app: Any) -> None:
    """The process is the sandbox: print the ready line, and stop on SIGINT/SIGTERM."""
    # Print only once Sanic's run_forever has begun: a SIGTERM sent right after the ready
    # line would otherwise stop the listener's run_until_complete and be lost.
    loop = asyncio.get_running_loop()
    loop.call_soon(loop.call_soon, _print_ready, app.ctx.sandbox)
    # A plain handler, not loop.add_signal_handler: under load the loop's signal wake-up
    # was seen to miss a SIGTERM. Stopping the loop is all Sanic's runner needs to shut
    # down in order (before_server_stop listeners included).
    def stop_once(signum: int, frame: Any) -> None:
        # The first one stops; the rest are ignored to the end (through the interpreter's own
        # shutdown). Another loop.stop() during the shutdown broke its run_until_complete, and
        # Sanic's second try then waited forever; `--stop-with-parent` sends SIGTERM twice when
        # the parent dies (the kernel's death signal and the end of stdin).
        for each in (signal.SIGINT, signal.SIGTERM):
            signal.signal(each, signal.SIG_IGN)
        loop.call_soon_threadsafe(loop.stop)

    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.remove_signal_handler(sig)
        signal.signal(sig, stop_once)


def _print_ready(ctx: Any) -> None:
    from gclap_sandbox.server.app import ready_line

    sys.stdout.write(json.dumps(ready_line(ctx)) + "\n")
    sys.stdout.flush()
    log.info("gclap-sandbox ready: API and inbox at %s, SMTP on %s:%s, database %s",
             ctx.http_url, ctx.settings.smtp_host, ctx.smtp_port, database_label(ctx.settings.db_path))


class CannotBind(StartupError):
    """A port could not be bound; the message says which and what to do."""


def _bind(what: str, flag: str, host: str, port: int, bind: Callable[[str, int], socket.socket]) -> socket.socket:
    try:
        return bind(host, port)
    except OSError as exc:
        hint = f"; pick another with {flag} HOST:PORT (port 0 picks a free one)" if port else ""
        raise CannotBind(f"cannot listen for {what} on {host}:{port}: {exc.strerror or exc}{hint}") from None
