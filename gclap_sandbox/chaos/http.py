"""HTTP chaos glue: a Sanic request middleware that fails or slows matching API calls."""
from __future__ import annotations

import logging

from sanic import Request, Sanic
from sanic.response import HTTPResponse

from gclap_sandbox.chaos.rules import wait_out
from gclap_sandbox.errors import PROBLEM_BASE
from gclap_sandbox.http_json import problem_response

log = logging.getLogger("gclap_sandbox.chaos")

_TITLES = {429: "Too many requests", 500: "Internal Server Error", 502: "Bad Gateway",
           503: "Service unavailable", 504: "Gateway Timeout"}


async def chaos_middleware(request: Request) -> HTTPResponse | None:
    verdict = await wait_out(request.app.ctx.sandbox.chaos.http(request.method, request.path))
    if verdict is None:
        return None
    log.info("chaos rule %s: answering %s to %s %s", verdict.rule, verdict.code, request.method, request.path)
    headers = {"X-Gclap-Chaos": verdict.rule}
    if verdict.retry_after is not None:
        headers["Retry-After"] = str(verdict.retry_after)
    problem = {
        "type": PROBLEM_BASE + "chaos",
        "title": _TITLES.get(verdict.code, "Injected failure"),
        "status": verdict.code,
        "detail": verdict.message or f"Injected by the sandbox's chaos rule {verdict.rule}.",
        "instance": request.path,
        "chaos_rule": verdict.rule,
    }
    return problem_response(problem, headers=headers)


def install(app: Sanic) -> None:
    """Load the --chaos rules (if any) and put the middleware in front of every route."""
    ctx = app.ctx.sandbox
    ctx.chaos.default_seed = ctx.settings.seed
    ctx.chaos.replace(ctx.settings.chaos or {})
    app.register_middleware(chaos_middleware, "request")
