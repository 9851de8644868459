"""POST /api/v1/emails/{id}/simulate/: make an outcome happen now, by hand."""
from __future__ import annotations

from typing import Any

from sanic import Blueprint, Request
from sanic.response import HTTPResponse

from gclap_sandbox.api.events import EVENT_SCHEMA
from gclap_sandbox.api.responses import json_response
from gclap_sandbox.api.routing import API_PREFIX, endpoint
from gclap_sandbox.pipeline import outcomes
from gclap_sandbox.pipeline.schemas import SIMULATE_BODY

bp = Blueprint("simulation", url_prefix=API_PREFIX, strict_slashes=False)
@endpoint(bp, "POST", "/emails/<email_id:uuid>/simulate/", scope="emails:write",
          summary="Simulate an event for an email now",
          description="Records the event at once, with all its consequences (status, suppression list, "
          "bounce report, webhooks).", body=SIMULATE_BODY,
          responses={201: {"description": "The recorded events.", "schema": {
              "type": "object", "properties": {"events": {"type": "array", "items": EVENT_SCHEMA}}}},
              404: {"description": "No such email, or `recipient` is not one of its recipients "
                                   "(`unknown-reference`)."}})
async def simulate_event(request: Request, email_id: Any) -> HTTPResponse:
    ctx = request.app.ctx.sandbox
    body = request.ctx.body
    recipient = None
    if body.get("recipient"):
        from gclap_sandbox.mail.message import split_address

        recipient = split_address(body["recipient"])[1]
    recorded = await ctx.db.run(outcomes.trigger, request.ctx.principal.organization_id, str(email_id),
                                body["event"], recipient, body.get("url"))
    return json_response({"events": recorded}, status=201)
