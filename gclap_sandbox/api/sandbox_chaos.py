"""/api/v1/sandbox/chaos/: read and replace the fault-injection rules."""
from __future__ import annotations

from typing import Any

from sanic import Blueprint, Request
from sanic.response import HTTPResponse

from gclap_sandbox.api.responses import json_response
from gclap_sandbox.api.routing import API_PREFIX, endpoint
from gclap_sandbox.chaos.rules import CHAOS_DOCUMENT

bp = Blueprint("sandbox_chaos", url_prefix=API_PREFIX, strict_slashes=False)

CHAOS_SCHEMA: dict[str, Any] = CHAOS_DOCUMENT.json_schema()


@endpoint(bp, "GET", "/sandbox/chaos/", scope="sandbox:control", summary="The fault-injection rules in force",
          responses={200: {"description": "The rule document, with the seed in use.", "schema": CHAOS_SCHEMA}})
async def get_chaos(request: Request) -> HTTPResponse:
    return json_response(request.app.ctx.sandbox.chaos.describe())


@endpoint(bp, "PUT", "/sandbox/chaos/", scope="sandbox:control", summary="Replace the fault-injection rules",
          description="Replaces every rule (send `{}` to turn chaos off) and reseeds the random generator "
                      "with `seed`, or with `serve --seed` when absent. SMTP rules act at connect, MAIL FROM, "
                      "RCPT TO or DATA; HTTP rules act on matching API routes, never on /api/v1/sandbox/.",
          body=CHAOS_DOCUMENT,
          responses={200: {"description": "The rule document now in force.", "schema": CHAOS_SCHEMA}})
async def put_chaos(request: Request) -> HTTPResponse:
    chaos = request.app.ctx.sandbox.chaos
    chaos.replace(request.ctx.body)
    return json_response(chaos.describe())
