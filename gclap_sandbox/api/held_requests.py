"""/api/v1/sandbox/held-requests/: how many `?wait=` requests are waiting right now.

Read-only. A test (or a curious user) sends its mail only after its long poll shows up here,
so it knows the request was answered by the arrival, not by finding the mail on its first look.
"""
from __future__ import annotations

from sanic import Blueprint, Request
from sanic.response import HTTPResponse

from gclap_sandbox.api.responses import json_response
from gclap_sandbox.api.routing import API_PREFIX, endpoint
from gclap_sandbox.events.waiters import CHANNELS

bp = Blueprint("sandbox_held_requests", url_prefix=API_PREFIX, strict_slashes=False)

HELD_SCHEMA = {"type": "object", "properties": {
    channel: {"type": "integer", "description": f"`GET /api/v1/{channel}/?wait=` requests that found "
              "nothing yet and are waiting for a match."} for channel in CHANNELS}}


@endpoint(bp, "GET", "/sandbox/held-requests/", scope="sandbox:control",
          summary="Long-poll requests waiting right now",
          description="Counts this organization's `?wait=` list requests that have looked, found "
          "nothing, and are held until something matching arrives or their time runs out.",
          responses={200: {"description": "Held requests per list.", "schema": HELD_SCHEMA}})
async def held_requests(request: Request) -> HTTPResponse:
    waiters = request.app.ctx.sandbox.waiters
    organization_id = request.ctx.principal.organization_id
    return json_response({channel: waiters.held(channel, organization_id) for channel in CHANNELS})
