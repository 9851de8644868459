"""/api/v1/emails/{id}/authentication/: SPF, DKIM and DMARC results, as Authentication-Results says them."""
from __future__ import annotations

from typing import Any

from sanic import Blueprint, Request
from sanic.response import HTTPResponse

from gclap_sandbox.api.responses import json_response
from gclap_sandbox.api.routing import API_PREFIX, endpoint
from gclap_sandbox.domains.authentication import email_authentication

bp = Blueprint("email_authentication", url_prefix=API_PREFIX, strict_slashes=False)

_RESULT = {"type": "string", "enum": ["pass", "fail", "softfail", "neutral", "none", "permerror", "temperror"]}
_DETAIL = {"type": "string", "description": "Why, in words."}
_DKIM_SIGNATURE = {"type": "object", "properties": {
    "result": _RESULT, "domain": {"type": ["string", "null"], "description": "d="},
    "selector": {"type": ["string", "null"], "description": "s="}, "detail": _DETAIL}}
AUTHENTICATION: dict[str, Any] = {"type": "object", "properties": {
    "authserv_id": {"type": "string", "description": "Who judged: the sandbox's SMTP host name."},
    "resolver": {"type": "string", "description": "Where the DNS records were read."},
    "spf": {"type": "object", "properties": {
        "result": _RESULT, "domain": {"type": ["string", "null"], "description": "The envelope sender's domain."},
        "detail": _DETAIL}},
    "dkim": {"type": "object", "properties": {
        **_DKIM_SIGNATURE["properties"],
        "signatures": {"type": "array", "items": _DKIM_SIGNATURE, "description": "Each DKIM-Signature, top first."}}},
    "dmarc": {"type": "object", "properties": {
        "result": _RESULT, "domain": {"type": ["string", "null"], "description": "The From domain."},
        "record_domain": {"type": ["string", "null"], "description": "Where the DMARC record was found."},
        "policy": {"type": ["string", "null"], "enum": ["none", "quarantine", "reject", None]},
        "alignment": {"type": ["object", "null"], "properties": {"spf": {"type": "boolean"},
                                                                  "dkim": {"type": "boolean"}}},
        "disposition": {"type": "string", "description": "What the policy asks a receiver to do with this email."},
        "detail": _DETAIL}},
    "header": {"type": "string", "description": "The same, as an Authentication-Results header field (RFC 8601)."}}}


@endpoint(bp, "GET", "/emails/<email_id:uuid>/authentication/", scope="emails:read",
          summary="SPF, DKIM and DMARC results of an email",
          description="Judges the email as delivered (with the sandbox's DKIM signature when its From domain "
                      "is a verified sending domain) the way a receiving server would, reading DNS through the "
                      "sandbox's resolver now: SPF for the envelope sender's domain (the sandbox sends as "
                      "`include:spf.gclap.test`), each DKIM signature verified against its published key, and "
                      "DMARC with relaxed or strict alignment as the From domain's record says.",
          responses={200: {"description": "The results.", "schema": AUTHENTICATION}, 404: {}})
async def get_authentication(request: Request, email_id: Any) -> HTTPResponse:
    data = await email_authentication(request.app.ctx.sandbox, request.ctx.principal.organization_id, str(email_id))
    return json_response(data)
