"""GET /api/v1/emails/{id}/checks/: content checks of one captured email."""
from __future__ import annotations

from typing import Any

from sanic import Blueprint, Request
from sanic.response import HTTPResponse

from gclap_sandbox.api.responses import json_response
from gclap_sandbox.api.routing import API_PREFIX, endpoint
from gclap_sandbox.checks import online
from gclap_sandbox.checks.spam_rules import SPAM_THRESHOLD, rules_table

bp = Blueprint("email_checks", url_prefix=API_PREFIX, strict_slashes=False)

_VERDICT = {"type": "string", "enum": ["pass", "warn", "fail"]}
_PROBLEMS = {"type": "array", "items": {"type": "object", "properties": {
    "code": {"type": "string"}, "severity": {"type": "string", "enum": ["error", "warning"]},
    "message": {"type": "string"}}}}
CHECKS_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "verdict": {**_VERDICT, "description": "The worst of the three sections' verdicts."},
        "marketing": {"type": "boolean", "description": "Judged as marketing mail (category marketing, a "
                      "campaign, or Precedence: bulk/list)."},
        "html": {"type": "object", "description": "HTML compatibility against the caniemail.com data.", "properties": {
            "verdict": _VERDICT,
            "score": {"type": "integer", "minimum": 0, "maximum": 100,
                      "description": "Mean of the client families' scores."},
            "has_html": {"type": "boolean"},
            "features_used": {"type": "integer"},
            "clients": {"type": "array", "items": {"type": "object", "properties": {
                "family": {"type": "string"}, "name": {"type": "string"},
                "score": {"type": "integer", "minimum": 0, "maximum": 100},
                "supported": {"type": "integer"}, "partial": {"type": "integer"},
                "unsupported": {"type": "integer"}, "unknown": {"type": "integer"}}}},
            "issues": {"type": "array", "items": {"type": "object", "properties": {
                "feature": {"type": "string"}, "title": {"type": "string"}, "category": {"type": ["string", "null"]},
                "url": {"type": "string", "format": "uri"},
                "line": {"type": "integer", "description": "First line of the HTML body using it."},
                "lines": {"type": "array", "items": {"type": "integer"}}, "count": {"type": "integer"},
                "unsupported": {"type": "object", "description": "Family -> platforms that do not support it."},
                "partial": {"type": "object", "description": "Family -> platforms that support it in part."},
                "notes": {"type": "array", "items": {"type": "string"}}}}},
            "data": {"type": "object"},
        }},
        "links": {"type": "object", "description": "Every link and image, with problems.", "properties": {
            "verdict": _VERDICT,
            "problems": {"type": "integer"}, "errors": {"type": "integer"}, "warnings": {"type": "integer"},
            "links": {"type": "array", "items": {"type": "object", "properties": {
                "url": {"type": "string"}, "text": {"type": "string"}, "part": {"type": "string", "enum": ["html", "text"]},
                "line": {"type": "integer"}, "problems": _PROBLEMS}}},
            "images": {"type": "array", "items": {"type": "object", "properties": {
                "src": {"type": "string"}, "alt": {"type": ["string", "null"]}, "line": {"type": "integer"},
                "problems": _PROBLEMS}}},
            "online": {"type": ["object", "null"], "description": "With `--link-check online`: each distinct "
                       "web address fetched, with its HTTP status or error (null when off)."},
        }},
        "spam": {"type": "object", "description": "The rule set below; with `--spamassassin`, spamd's report too.",
                 "properties": {
                     "verdict": _VERDICT,
                     "score": {"type": "number"}, "threshold": {"type": "number"},
                     "rules": {"type": "array", "items": {"type": "object", "properties": {
                         "rule": {"type": "string"}, "score": {"type": "number"}, "description": {"type": "string"},
                         "detail": {"type": "string"}}}},
                     "rules_checked": {"type": "integer"},
                     "spamassassin": {"type": ["object", "null"], "description": "spamd's verdict, score, "
                                      "threshold, rules and report (null when not configured)."},
                 }},
    },
}

DESCRIPTION = (
    "Three sections, each with a `verdict` (pass, warn, fail), computed once from the message as "
    "received (`/raw/`) and kept until a reset.\n\n"
    "**html**: the HTML and CSS features the body uses that major client families (Gmail, Outlook, "
    "Apple Mail, Yahoo, AOL, Samsung Email, Thunderbird, ProtonMail, Fastmail) support only in part or "
    "not at all, with the lines they are on, and a 0-100 score per family (partial support counts half), "
    "from the caniemail.com data (MIT) shipped with the sandbox. Verdict: pass from 90, warn from 75.\n\n"
    "**links**: every link and image, with problems: plain http, bare IP host, URL shortener, link text "
    "showing another domain, unsafe scheme, missing alt, no width/height. Any error fails, warnings warn. "
    "With `serve --link-check online`, each web address is also fetched (bounded time and concurrency).\n\n"
    f"**spam**: the rules below add up; from {SPAM_THRESHOLD:g} the verdict is fail, from 2.5 warn. With "
    "`serve --spamassassin HOST:PORT`, SpamAssassin's own report (spamd) is included.\n\n" + rules_table())


@endpoint(bp, "GET", "/emails/<email_id:uuid>/checks/", scope="emails:read", summary="Content checks of an email",
          description=DESCRIPTION,
          responses={200: {"description": "The checks.", "schema": CHECKS_SCHEMA}, 404: {}})
async def email_checks(request: Request, email_id: Any) -> HTTPResponse:
    ctx = request.app.ctx.sandbox
    report = await online.full_report(ctx, request.ctx.principal.organization_id, str(email_id))
    return json_response(report)
