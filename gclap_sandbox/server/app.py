"""create_app(settings, sockets) -> Sanic: one sandbox, built whole and hung on `app.ctx.sandbox`.

Blueprints, error mapping, the bus and its wiring, and the listeners that start and stop the
database thread, workers and SMTP server. What belongs to the process rather than the sandbox
(the ready line, signals) is added by server/lifecycle.py; server/embedded.py runs an app on a
thread of its own instead.
"""
from __future__ import annotations

import itertools
import logging
import socket
from typing import Any

from sanic import Request, Sanic
from sanic.exceptions import SanicException
from sanic.response import HTTPResponse

from gclap_sandbox import clock, errors, start_state, ui
from gclap_sandbox.accounts import keys as api_keys
from gclap_sandbox.api import blueprints
from gclap_sandbox.api.openapi import build_document
from gclap_sandbox.api.responses import problem_response
from gclap_sandbox.api.routing import route_specs
from gclap_sandbox.chaos import http as chaos_http
from gclap_sandbox.events.bus import EventBus
from gclap_sandbox.events.waiters import MAX_WAIT_SECONDS
from gclap_sandbox.pipeline import capture
from gclap_sandbox.pipeline.incoming import DeliveryOptions
from gclap_sandbox.relay.worker import configure_relay, start_relay, stop_relay
from gclap_sandbox.server import hosts, wiring, workers
from gclap_sandbox.server.context import AppContext
from gclap_sandbox.server.routers import EventRouter, HttpRouter
from gclap_sandbox.server.smtp import start_smtp_server, stop_smtp_server
from gclap_sandbox.settings import Settings, database_label
from gclap_sandbox.storage.database import Database, serving_reader

log = logging.getLogger("gclap_sandbox")
_app_numbers = itertools.count()

_SANIC_ERRORS: dict[int, type[errors.ApiError]] = {
    400: errors.BadRequest, 401: errors.Unauthorized, 403: errors.Forbidden, 404: errors.NotFound,
    405: errors.MethodNotAllowed, 413: errors.PayloadTooLarge, 503: errors.ServiceUnavailable,
}


def create_app(settings: Settings, http_sock: socket.socket, smtp_sock: socket.socket) -> Sanic:
    app = Sanic(f"gclap_sandbox_{next(_app_numbers)}", configure_logging=False,
                router=HttpRouter(), signal_router=EventRouter())
    app.config.GRACEFUL_SHUTDOWN_TIMEOUT = 1.0
    # Base64 inflates attachments by a third; leave room for JSON around them.
    app.config.REQUEST_MAX_SIZE = settings.max_message_size * 4 // 3 + 1024 * 1024
    app.config.FALLBACK_ERROR_FORMAT = "json"
    app.config.RESPONSE_TIMEOUT = MAX_WAIT_SECONDS + 30  # room for long-polling `?wait=`
    sandbox_clock, bus = clock.Clock(), EventBus()
    ctx = AppContext(settings=settings, db=Database(settings.db_path, sandbox_clock, bus),
                     clock=sandbox_clock, bus=bus)
    http_host, http_port = http_sock.getsockname()[:2]
    ctx.listen_url = f"http://{_url_host(http_host)}:{http_port}"
    ctx.http_url = settings.public_url or ctx.listen_url
    ctx.smtp_port = smtp_sock.getsockname()[1]
    ctx.delivery = DeliveryOptions(base_url=ctx.http_url, profile=settings.simulate,
                                   seed=settings.seed or 0)
    app.ctx.sandbox = ctx
    configure_relay(ctx)
    wiring.wire_domains(bus, ctx.relay, settings.tags_from)
    wiring.wire_activity(bus, ctx.activity)
    # Closed sessions may linger in the weak set until collected: count the connected ones.
    ctx.metrics.count_open_sessions(lambda: sum(1 for s in list(ctx.smtp_sessions) if s.transport is not None))
    hosts.install(app)
    app.register_middleware(_serving_reader, "request", priority=2000)
    chaos_http.install(app)
    for bp in blueprints():
        app.blueprint(bp)
    ui.install(app)
    ctx.api_document = lambda: build_document(route_specs(app), ctx.http_url)
    app.error_handler.add(Exception, _problem_for)

    @app.before_server_start
    async def start(app: Sanic) -> None:
        clock.bind(ctx.clock)  # this loop's thread works for this sandbox (see clock.py)
        await ctx.db.start()
        ctx.default_org_id, ctx.default_api_key = await ctx.db.run(start_state.establish_accounts, settings)
        await start_relay(ctx)
        await workers.start(ctx)
        await ctx.db.run(capture.file_leftovers, ctx.delivery)  # acknowledged before a crash
        ctx.smtp_server = await start_smtp_server(ctx, smtp_sock)

    @app.before_server_stop
    async def stop(app: Sanic) -> None:
        await stop_smtp_server(ctx)
        await workers.stop(ctx)
        await stop_relay(ctx)
        ctx.renderer.close()
        await ctx.db.run(api_keys.flush_last_used, dict(ctx.key_last_used))
        await ctx.db.close()

    return app


async def _serving_reader(request: Request) -> None:
    # What a request reads includes the mail SMTP sessions were just answered `250` for.
    serving_reader()


def ready_line(ctx: AppContext) -> dict[str, Any]:
    """What a started sandbox tells its launcher: addresses, the API key, the database."""
    return {
        "http_url": ctx.http_url,
        "listen_url": ctx.listen_url,  # where it listens, when --public-url differs
        "smtp_host": ctx.settings.smtp_host,
        "smtp_port": ctx.smtp_port,
        "api_key": ctx.default_api_key,
        "db": database_label(ctx.settings.db_path),
    }


def _url_host(host: str) -> str:
    if host in ("0.0.0.0", "::"):
        return "127.0.0.1" if host == "0.0.0.0" else "[::1]"
    return f"[{host}]" if ":" in host else host


def _problem_for(request: Request, exception: Exception) -> HTTPResponse:
    if isinstance(exception, errors.ApiError):
        error = exception
    elif isinstance(exception, SanicException):
        status = getattr(exception, "status_code", 500) or 500
        cls = _SANIC_ERRORS.get(status)
        if cls is None:
            log.error("unexpected %s on %s %s", status, request.method, request.path)
            error = errors.ApiError("The sandbox hit an unexpected error; see its log.")
        elif status == 404:
            error = cls(f"No route for {request.method} {request.path}.")
        elif status == 405:
            allowed = ", ".join(getattr(exception, "allowed_methods", None) or ())
            error = cls(f"{request.method} is not allowed on {request.path}"
                        + (f"; allowed: {allowed}." if allowed else "."),
                        headers={"Allow": allowed})  # RFC 9110: a 405 lists what the path allows
        else:
            error = cls(str(exception) or None)
    else:
        log.exception("unhandled error on %s %s", request.method, request.path, exc_info=exception)
        error = errors.ApiError("The sandbox hit an unexpected error; see its log.")
    return problem_response(error.to_problem(request.path), headers=error.headers)


def route_table(app: Sanic) -> list[tuple[str, str]]:
    """(METHOD, path) of every HTTP route the app serves, in Sanic's path syntax."""
    routes: list[tuple[str, str]] = []
    for route in app.router.routes:
        path = "/" + route.path.lstrip("/")
        for method in route.methods:
            if method not in ("HEAD", "OPTIONS"):
                routes.append((method, path))
    return routes


__all__ = ["create_app", "ready_line", "route_table"]
