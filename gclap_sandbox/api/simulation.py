"""POST /api/v1/emails/{id}/simulate/: make an outcome happen now, by hand."""
from __future__ import annotations

from typing import Any

from sanic import Blueprint, Request
from sanic.response import HTTPResponse

from gclap_sandbox.api.events import EVENT_SCHEMA
from gclap_sandbox.api.responses import json_response
from gclap_sandbox.api.routing import API_PREFIX, endpoint
from gclap_sandbox.pipeline import outcomes, simulate
from gclap_sandbox.schema import Address, Errors, Obj, Str
from gclap_sandbox.schema_rules import OnlyWhen

bp = Blueprint("simulation", url_prefix=API_PREFIX, strict_slashes=False)
# Each outcome by its label or its event type (`email.bounced` is the hard bounce).
EVENT_NAMES = [*simulate.TRIGGERABLE, *(f"email.{label}" for label in simulate.TRIGGERABLE if label != "softbounce")]


def _without_prefix(data: dict[str, Any], errors: Errors) -> None:
    data["event"] = data["event"].removeprefix("email.")


SIMULATE_BODY = Obj({
    "event": Str(required=True, choices=EVENT_NAMES,
                 description="The outcome: delivered, bounced (hard), softbounce, deferred, opened, "
                 "clicked, unsubscribed or spam (the `email.` prefix is optional)."),
    "recipient": Address(description="One recipient of the email (default: every recipient)."),
    "url": Str(max_length=4000, pattern=r"[Hh][Tt][Tt][Pp][Ss]?://[\s\S]*", pattern_hint="Must be an http(s) URL.",
               description="For `clicked`: the link (default: the email's first link)."),
}, rules=[OnlyWhen("url", "event", ["clicked", "email.clicked"], "Only for the `clicked` event.")],
   extra_check=_without_prefix)


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
