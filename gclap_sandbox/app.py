"""create_app(settings) -> Sanic: blueprints, error mapping and the lifecycle listeners."""
from __future__ import annotations

import asyncio
import itertools
import json
import logging
import signal
import socket
import sys

from sanic import Request, Sanic
from sanic.exceptions import SanicException
from sanic.response import HTTPResponse

from gclap_sandbox import api_keys, auth, background, chaos_http, errors, hosts, limits
from gclap_sandbox.api import blueprints
from gclap_sandbox.api.responses import problem_response
from gclap_sandbox.context import AppContext
from gclap_sandbox.db import Database
from gclap_sandbox.delivery import DeliveryOptions
from gclap_sandbox.relay_worker import configure_relay, start_relay, stop_relay
from gclap_sandbox.settings import Settings
from gclap_sandbox.smtp import start_smtp_server
from gclap_sandbox.waiters import MAX_WAIT_SECONDS

log = logging.getLogger("gclap_sandbox")
_app_numbers = itertools.count()

_SANIC_ERRORS: dict[int, type[errors.ApiError]] = {
    400: errors.BadRequest, 401: errors.Unauthorized, 403: errors.Forbidden, 404: errors.NotFound,
    405: errors.MethodNotAllowed, 413: errors.PayloadTooLarge, 503: errors.ServiceUnavailable,
}


def create_app(settings: Settings, http_sock: socket.socket, smtp_sock: socket.socket) -> Sanic:
    app = Sanic(f"gclap_sandbox_{next(_app_numbers)}", configure_logging=False)
    app.config.GRACEFUL_SHUTDOWN_TIMEOUT = 1.0
    # Base64 inflates attachments by a third; leave room for JSON around them.
    app.config.REQUEST_MAX_SIZE = settings.max_message_size * 4 // 3 + 1024 * 1024
    app.config.FALLBACK_ERROR_FORMAT = "json"
    app.config.RESPONSE_TIMEOUT = MAX_WAIT_SECONDS + 30  # room for long-polling `?wait=`
    ctx = AppContext(settings=settings, db=Database(settings.db_path))
    http_host, http_port = http_sock.getsockname()[:2]
    listen_url = f"http://{_url_host(http_host)}:{http_port}"
    ctx.http_url = settings.public_url or listen_url
    ctx.smtp_port = smtp_sock.getsockname()[1]
    ctx.delivery = DeliveryOptions(base_url=ctx.http_url, profile=settings.simulate,
                                   seed=settings.seed or 0)
    app.ctx.sandbox = ctx
    configure_relay(ctx)
    hosts.install(app)
    chaos_http.install(app)
    for bp in blueprints():
        app.blueprint(bp)
    from gclap_sandbox.ui import bp as ui_bp

    app.blueprint(ui_bp)
    app.error_handler.add(Exception, _problem_for)

    @app.before_server_start
    async def start(app: Sanic) -> None:
        await ctx.db.start()
        ctx.default_org_id, ctx.default_api_key = await ctx.db.run(auth.bootstrap, settings.api_key)
        if settings.plan:
            await ctx.db.run(limits.update_organization, ctx.default_org_id, {"plan": settings.plan})
        await background.start(ctx)
        ctx.smtp_server = await start_smtp_server(ctx, smtp_sock)
        await start_relay(ctx)

    @app.after_server_start
    async def announce(app: Sanic) -> None:
        # Print only once Sanic's run_forever has begun: a SIGTERM sent right after the ready
        # line would otherwise stop the listener's run_until_complete and be lost.
        loop = asyncio.get_running_loop()
        loop.call_soon(loop.call_soon, print_ready)
        # A plain handler, not loop.add_signal_handler: under load the loop's signal wake-up
        # was seen to miss a SIGTERM. Stopping the loop is all Sanic's runner needs to shut
        # down in order (before_server_stop listeners included).
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)
            signal.signal(sig, lambda signum, frame: loop.call_soon_threadsafe(loop.stop))

    def print_ready() -> None:
        ready = {
            "http_url": ctx.http_url,
            "listen_url": listen_url,  # where it listens, when --public-url differs
            "smtp_host": settings.smtp_host,
            "smtp_port": ctx.smtp_port,
            "api_key": ctx.default_api_key,
            "db": settings.db_path,
        }
        sys.stdout.write(json.dumps(ready) + "\n")
        sys.stdout.flush()
        log.info("gclap-sandbox ready: API and inbox at %s, SMTP on %s:%s, database %s",
                 ctx.http_url, settings.smtp_host, ctx.smtp_port, settings.db_path)

    @app.before_server_stop
    async def stop(app: Sanic) -> None:
        if ctx.smtp_server is not None:
            ctx.smtp_server.close()
            await ctx.smtp_server.wait_closed()
        await stop_relay(ctx)
        ctx.renderer.close()
        await background.stop(ctx)
        await ctx.db.run(api_keys.flush_last_used, dict(ctx.key_last_used))
        await ctx.db.close()

    return app


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


__all__ = ["create_app", "route_table"]
