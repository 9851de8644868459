"""/healthz: answers 200 once HTTP, SMTP and the database are ready."""
from __future__ import annotations

from sanic import Blueprint, Request
from sanic.response import HTTPResponse

from gclap_sandbox.api.responses import json_response
from gclap_sandbox.api.routing import endpoint
from gclap_sandbox.errors import ServiceUnavailable
from gclap_sandbox.storage.database import database

bp = Blueprint("health", strict_slashes=False)

HEALTH_SCHEMA = {"type": "object", "properties": {
    "status": {"type": "string"}, "http": {"type": "boolean"}, "smtp": {"type": "boolean"},
    "database": {"type": "boolean"}}}


def _database_ok() -> bool:
    database.execute_sql("SELECT 1").fetchone()
    return True


@endpoint(bp, "GET", "/healthz", scope=None, authenticated=False, prefix="",
          summary="Readiness: HTTP, SMTP and the database",
          responses={200: {"description": "Ready.", "schema": HEALTH_SCHEMA}, 503: {"description": "Not ready."}})
async def healthz(request: Request) -> HTTPResponse:
    ctx = request.app.ctx.sandbox
    smtp_ok = ctx.smtp_server is not None and ctx.smtp_server.is_serving()
    try:
        db_ok = await ctx.db.run(_database_ok)
    except Exception:
        db_ok = False
    if not (smtp_ok and db_ok):
        raise ServiceUnavailable("Not ready.", smtp=smtp_ok, database=db_ok)
    return json_response({"status": "ok", "http": True, "smtp": True, "database": True})
