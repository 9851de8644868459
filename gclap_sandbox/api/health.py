"""Probes and metrics, without a key: /livez (the process answers), /readyz and its older name
/healthz (HTTP, SMTP, the database and the background workers are up), and /metrics
(Prometheus text format; counts only, never addresses or content: see observability/metrics.py).
"""
from __future__ import annotations

from typing import Any

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, raw

from gclap_sandbox.api.responses import json_response
from gclap_sandbox.api.routing import endpoint
from gclap_sandbox.errors import ServiceUnavailable
from gclap_sandbox.observability.metrics import CONTENT_TYPE
from gclap_sandbox.storage import engine
from gclap_sandbox.storage.database import database

bp = Blueprint("health", strict_slashes=False)

HEALTH_SCHEMA = {"type": "object", "properties": {
    "status": {"type": "string"}, "http": {"type": "boolean"}, "smtp": {"type": "boolean"},
    "database": {"type": "boolean"}, "workers": {"type": "boolean"}}}
LIVE_SCHEMA = {"type": "object", "properties": {"status": {"type": "string"}}}


def _database_ok() -> bool:
    database.execute_sql("SELECT 1").fetchone()
    return True


def _database_bytes() -> int:
    return engine.current().size_bytes()


def _workers_ok(ctx: Any) -> bool:
    workers = [ctx.jobs_worker, ctx.webhooks]
    if ctx.relay is not None:
        workers.append(ctx.relay_worker)
    return all(w is not None and w.running for w in workers)


async def _readiness(request: Request) -> HTTPResponse:
    ctx = request.app.ctx.sandbox
    smtp_ok = ctx.smtp_server is not None and ctx.smtp_server.is_serving()
    try:
        db_ok = await ctx.db.run(_database_ok)
    except Exception:
        db_ok = False
    workers_ok = _workers_ok(ctx)
    if not (smtp_ok and db_ok and workers_ok):
        raise ServiceUnavailable("Not ready.", smtp=smtp_ok, database=db_ok, workers=workers_ok)
    return json_response({"status": "ok", "http": True, "smtp": True, "database": True, "workers": True})


_READY_RESPONSES = {200: {"description": "Ready.", "schema": HEALTH_SCHEMA},
                    503: {"description": "Not ready: the body says which part is down."}}


@endpoint(bp, "GET", "/readyz", scope=None, authenticated=False, prefix="",
          summary="Readiness: HTTP, SMTP, the database and the background workers", responses=_READY_RESPONSES)
async def readyz(request: Request) -> HTTPResponse:
    return await _readiness(request)


@endpoint(bp, "GET", "/healthz", scope=None, authenticated=False, prefix="",
          summary="Readiness (the older name of /readyz)", responses=_READY_RESPONSES)
async def healthz(request: Request) -> HTTPResponse:
    return await _readiness(request)


@endpoint(bp, "GET", "/livez", scope=None, authenticated=False, prefix="",
          summary="Liveness: the process answers HTTP",
          responses={200: {"description": "Alive.", "schema": LIVE_SCHEMA}})
async def livez(request: Request) -> HTTPResponse:
    return json_response({"status": "ok"})


@endpoint(bp, "GET", "/metrics", scope=None, authenticated=False, prefix="",
          summary="Metrics in the Prometheus text format",
          responses={200: {"description": "Counters, the webhook latency histogram and gauges.",
                           "content_type": "text/plain"}})
async def metrics(request: Request) -> HTTPResponse:
    ctx = request.app.ctx.sandbox
    ctx.metrics.database_size.set(await ctx.db.run(_database_bytes))
    return raw(ctx.metrics.render(), content_type=CONTENT_TYPE)
