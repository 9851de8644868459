"""/api/v1/deliverability/: the score with its factors, its daily history, inbox placement tests."""
from __future__ import annotations

from typing import Any

from sanic import Blueprint, Request
from sanic.response import HTTPResponse

from gclap_sandbox.api.emails import SEND_BODY
from gclap_sandbox.api.pagination import (
    PAGE_FIELDS,
    envelope,
    envelope_schema,
    offset_limit,
)
from gclap_sandbox.api.responses import json_response
from gclap_sandbox.api.routing import API_PREFIX, endpoint
from gclap_sandbox.deliverability import history, placement, service
from gclap_sandbox.deliverability import score as scoring
from gclap_sandbox.deliverability.judging import STATUSES
from gclap_sandbox.deliverability.providers import PROVIDERS
from gclap_sandbox.schema import Int, ListOf, Obj, Str

bp = Blueprint("deliverability", url_prefix=API_PREFIX, strict_slashes=False)

# A placement test is sent to the seed list, as the sandbox's own mail: no recipients of the
# caller's, no simulated outcomes, no tracking.
NOT_FOR_PLACEMENT = ("to", "cc", "bcc", "simulate", "track_opens", "track_clicks")
PLACEMENT_BODY = Obj({
    **{name: field for name, field in SEND_BODY.fields.items() if name not in NOT_FOR_PLACEMENT},
    "providers": ListOf(Str(choices=[p.name for p in PROVIDERS]), min_items=1, max_items=len(PROVIDERS),
                        description="The seed mailboxes to send to (default: every provider)."),
}, rules=SEND_BODY.rules)
HISTORY_QUERY = Obj({
    "days": Int(minimum=1, maximum=history.MAX_DAYS, from_string=True, default=30,
                description=f"How many days, today included (at most {history.MAX_DAYS})."),
    "domain": Str(min_length=1, max_length=255, description="One sending domain's score (default: overall)."),
}, allow_unknown=False)
LIST_QUERY = Obj(dict(PAGE_FIELDS), allow_unknown=False)

_STATUS = {"type": "string", "enum": list(STATUSES)}
_NUM = {"type": ["number", "null"]}
FACTOR_SCHEMA: dict[str, Any] = {"type": "object", "properties": {
    "name": {"type": "string"}, "label": {"type": "string"}, "weight": {"type": "integer"},
    "value": {**_NUM, "description": "What was measured (a ratio from 0 to 1); null when not measured."},
    "threshold": {"type": "object", "properties": {
        "target": {"type": "number"}, "limit": {"type": "number"},
        "better": {"type": "string", "enum": ["lower", "higher"]}, "unit": {"type": "string"}}},
    "status": _STATUS, "points": {**_NUM, "description": "Of `weight`; null when not measured."},
    "summary": {"type": "string"}, "recommendation": {"type": "string"},
    "windows": {"type": "object", "description": "Rate factors: the last 7 and 30 days (`7d`, `30d`).",
                "additionalProperties": {"type": "object", "properties": {
                    "count": {"type": "integer"}, "of": {"type": "integer"}, "rate": _NUM}}},
    "domains": {"type": "array", "items": {"type": "object"},
                "description": "Authentication: each domain's SPF, DKIM and DMARC results."},
    "detail": {"type": "object"}}}
SCORED = {"score": {"type": ["integer", "null"], "minimum": 0, "maximum": 100}, "status": _STATUS,
          "factors": {"type": "array", "items": FACTOR_SCHEMA}}
SCORE_SCHEMA: dict[str, Any] = {"type": "object", "properties": {
    **SCORED, "computed_at": {"type": "string", "format": "date-time"},
    "windows": {"type": "object"},
    "domains": {"type": "array", "items": {"type": "object", "properties": {
        "domain": {"type": "string"}, **SCORED}}}}}
HISTORY_SCHEMA: dict[str, Any] = {"type": "object", "properties": {
    "domain": {"type": ["string", "null"]}, "days": {"type": "integer"},
    "points": {"type": "array", "items": {"type": "object", "properties": {
        "date": {"type": "string", "format": "date"}, "score": {"type": ["integer", "null"]},
        "factors": {"type": "object"}, "live": {"type": "boolean"}}}}}}
RESULT_SCHEMA = {"type": "object", "properties": {
    "provider": {"type": "string"}, "label": {"type": "string"},
    "placement": {"type": "string", "enum": ["inbox", "spam", "missing"]},
    "penalty": {"type": "number"}, "seed_address": {"type": "string"},
    "reasons": {"type": "array", "items": {"type": "object", "properties": {
        "factor": {"type": "string"}, "effect": _NUM, "text": {"type": "string"}}}}}}
PLACEMENT_SCHEMA: dict[str, Any] = {"type": "object", "properties": {
    "id": {"type": "string", "format": "uuid"}, "email_id": {"type": ["string", "null"], "format": "uuid"},
    "subject": {"type": "string"}, "from_email": {"type": ["string", "null"]}, "domain": {"type": "string"},
    "seed": {"type": "integer"}, "created_at": {"type": "string", "format": "date-time"},
    "summary": {"type": "object", "properties": {
        "inbox": {"type": "integer"}, "spam": {"type": "integer"}, "missing": {"type": "integer"},
        "inbox_rate": _NUM}},
    "results": {"type": "array", "items": RESULT_SCHEMA}, "signals": {"type": "object"}}}


def _org(request: Request) -> str:
    return request.ctx.principal.organization_id


@endpoint(bp, "GET", "/deliverability/score/", scope="deliverability:read", summary="The deliverability score",
          description="0-100 overall and per sending domain, made of factors (authentication, complaint rate, "
                      "bounce rate, list hygiene, one-click unsubscribe, content), each with its value, weight, "
                      "threshold, status and a recommendation. Rates cover the last 7 and 30 days of the "
                      "sandbox clock. Factors with nothing to measure do not count.",
          responses={200: {"description": "The score.", "schema": SCORE_SCHEMA}})
async def get_score(request: Request) -> HTTPResponse:
    return json_response(await request.app.ctx.sandbox.db.run(scoring.compute, _org(request)))


@endpoint(bp, "GET", "/deliverability/score/history/", scope="deliverability:read",
          summary="The score's daily history", query=HISTORY_QUERY,
          description="One point per day of the sandbox clock, oldest first: the score as that day ended "
                      "(snapshotted at midnight UTC), and today's live score last. Days with no snapshot have "
                      "`score: null`.",
          responses={200: {"description": "The points.", "schema": HISTORY_SCHEMA}})
async def get_history(request: Request) -> HTTPResponse:
    query = request.ctx.query
    return json_response(await request.app.ctx.sandbox.db.run(history.history, _org(request), query["days"],
                                                              query.get("domain")))


@endpoint(bp, "POST", "/deliverability/placement-tests/", scope="deliverability:write",
          summary="Run an inbox placement test", body=PLACEMENT_BODY,
          description="Sends the email (the send API's body, without recipients) to a seed list of simulated "
                      "mailbox providers and reports where it landed at each: inbox, spam or missing, with "
                      "the reasons. Verdicts follow from the score's factors, the email itself and `--seed`. "
                      "The seed email is in the inbox, but is not counted as sending (no events, quota or "
                      "analytics).",
          responses={201: {"description": "The test and its results.", "schema": PLACEMENT_SCHEMA},
                     404: {"description": "`template_id` names no template (`unknown-reference`)."}})
async def create_placement_test(request: Request) -> HTTPResponse:
    data = await service.run_placement_test(request.app.ctx.sandbox, _org(request), dict(request.ctx.body))
    return json_response(data, status=201)


@endpoint(bp, "GET", "/deliverability/placement-tests/", scope="deliverability:read",
          summary="List placement tests", query=LIST_QUERY, description="Newest first.",
          responses={200: {"description": "A page of tests.", "schema": envelope_schema(PLACEMENT_SCHEMA)}})
async def list_placement_tests(request: Request) -> HTTPResponse:
    offset, limit = offset_limit(request.ctx.query)
    count, rows = await request.app.ctx.sandbox.db.run(placement.list_tests, _org(request), offset, limit)
    return json_response(envelope(request, count, rows))


@endpoint(bp, "GET", "/deliverability/placement-tests/<test_id:uuid>/", scope="deliverability:read",
          summary="Get a placement test",
          responses={200: {"description": "The test.", "schema": PLACEMENT_SCHEMA}, 404: {}})
async def get_placement_test(request: Request, test_id: Any) -> HTTPResponse:
    return json_response(await request.app.ctx.sandbox.db.run(placement.get_test, _org(request), str(test_id)))
