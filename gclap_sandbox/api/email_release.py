"""POST /api/v1/emails/{id}/release/: relay one captured email upstream now."""
from __future__ import annotations

from typing import Any

from sanic import Blueprint, Request
from sanic.response import HTTPResponse

from gclap_sandbox.api.responses import json_response
from gclap_sandbox.api.routing import API_PREFIX, endpoint
from gclap_sandbox.relay.release import release_email as release
from gclap_sandbox.relay.schemas import RELEASE_BODY

bp = Blueprint("relay", url_prefix=API_PREFIX, strict_slashes=False)

_REPLY = {"type": ["object", "null"], "properties": {"code": {"type": ["integer", "null"]},
                                                      "message": {"type": "string"}}}
RELAY_JOB: dict[str, Any] = {
    "type": "object",
    "properties": {
        "id": {"type": "string", "format": "uuid"},
        "trigger": {"type": "string", "enum": ["auto", "release"]},
        "status": {"type": "string", "enum": ["pending", "relayed", "partial", "failed"]},
        "recipients": {"type": "array", "items": {"type": "string"}},
        "pending": {"type": "array", "items": {"type": "string"}},
        "attempts": {"type": "integer"},
        "last_reply": _REPLY,
        "next_attempt_at": {"type": ["string", "null"], "format": "date-time"},
        "created_at": {"type": "string", "format": "date-time"},
        "finished_at": {"type": ["string", "null"], "format": "date-time"},
        "history": {"type": "array", "items": {"type": "object", "properties": {
            "at": {"type": "string", "format": "date-time"}, "code": {"type": ["integer", "null"]},
            "message": {"type": "string"}, "accepted": {"type": "array", "items": {"type": "string"}},
            "refused": {"type": "object", "additionalProperties": {"type": "string"}}}}},
    },
}
RELEASE_RESULT: dict[str, Any] = {
    "type": "object",
    "properties": {**RELAY_JOB["properties"],
                   "skipped": {"type": "array", "items": {"type": "string"},
                               "description": "Own recipients not relayed because a --relay-deny pattern matches."}},
}


@endpoint(bp, "POST", "/emails/<email_id:uuid>/release/", scope="emails:send",
          summary="Relay an email upstream now",
          description="Sends the email's original source to the relay server (`serve --relay`) and answers "
                      "with the upstream reply: to its own recipients, or to `to`. Recipients matching a "
                      "`--relay-deny` pattern are never relayed. 502 when the upstream server refuses or is "
                      "unreachable (the attempt is recorded on the email either way).",
          body=RELEASE_BODY, body_required=False,
          responses={200: {"description": "Relayed (some recipients may be refused; see `refused`).",
                           "schema": RELEASE_RESULT},
                     404: {}, 409: {"description": "Relaying is not configured, or every recipient is denied."},
                     502: {"description": "The upstream server refused the message or could not be reached."}})
async def release_email(request: Request, email_id: Any) -> HTTPResponse:
    job = await release(request.app.ctx.sandbox, request.ctx.principal.organization_id, str(email_id),
                        request.ctx.body.get("to"))
    return json_response(job)
