"""/api/v1/campaigns/: marketing campaigns, their audience, sending, test sends and stats."""
from __future__ import annotations

from typing import Any

from sanic import Blueprint, Request
from sanic.response import HTTPResponse

from gclap_sandbox.api.pagination import (
    PAGE_FIELDS,
    envelope,
    envelope_schema,
    offset_limit,
)
from gclap_sandbox.api.responses import json_response
from gclap_sandbox.api.routing import API_PREFIX, endpoint
from gclap_sandbox.campaigns import audience, service, store
from gclap_sandbox.models.campaigns import CAMPAIGN_STATUSES
from gclap_sandbox.schema import (
    Address,
    Bool,
    DateTime,
    Int,
    ListOf,
    MapOf,
    Obj,
    Str,
    Uuid,
)
from gclap_sandbox.schema_rules import AnyOf, Required, Unless

bp = Blueprint("campaigns", url_prefix=API_PREFIX, strict_slashes=False)

MAX_SOURCE = 1024 * 1024
MAX_CONTACT_IDS = 5000
MAX_TEST_ADDRESSES = 20

AUDIENCE = Obj({
    "lists": ListOf(Uuid(), max_items=100, description="Contact list ids: every member."),
    "segments": ListOf(Uuid(), max_items=100, description="Segment ids: every contact matching, when sending begins."),
    "contact_ids": ListOf(Uuid(), max_items=MAX_CONTACT_IDS, description="Single contacts."),
}, description="Who gets the campaign: the contacts of all sources together, each once.")


def _fields(create: bool) -> dict[str, Any]:
    optional = not create  # a change may clear what a draft had (null)
    return {
        "name": Str(required=create, min_length=1, max_length=200, single_line=True),
        "template_id": Uuid(nullable=optional, description="Render the email from this template; parts given "
                                                          "here win over its own."),
        "variables": MapOf(max_items=200, nullable=optional, description="The template's variables; each "
                           "recipient's contact is added as `contact`."),
        "subject": Str(max_length=998, single_line=True, nullable=optional, description="Jinja2 source (e.g. `Hi {{ contact.first_name }}`)."),
        "html": Str(max_length=MAX_SOURCE, nullable=optional, description="Jinja2 source, autoescaped."),
        "text": Str(max_length=MAX_SOURCE, nullable=optional, description="Jinja2 source."),
        "from_email": Address(nullable=optional, description="Sender, e.g. `Shop <news@shop.example>`."),
        "reply_to": ListOf(Address(), one_or_many=True, max_items=10, description="[] clears it."),
        "tags": ListOf(Str(min_length=1, max_length=200), max_items=50, nullable=optional,
                       description="Put on every recipient's email."),
        "track_opens": Bool(nullable=True, description="Open tracking (null: the organization's setting)."),
        "track_clicks": Bool(nullable=True, description="Click tracking (null: the organization's setting)."),
        "audience": AUDIENCE,
        "rate_per_minute": Int(minimum=1, maximum=1_000_000, nullable=True,
                               description="At most this many recipients a minute of sandbox time "
                                           "(null: as fast as the sandbox goes)."),
    }


CREATE_BODY = Obj(_fields(create=True), rules=[
    # With a template, subject and bodies come from it (parts given here win).
    Unless("template_id", Required("subject", message="This field is required (unless `template_id` is given)."),
           AnyOf("html", "text", message="Either `html` or `text` (or both) is required "
                                          "(unless `template_id` is given).")),
])
UPDATE_BODY = Obj(_fields(create=False))
SEND_BODY = Obj({"send_at": DateTime(description="When to start, on the sandbox clock (default: now).")})
TEST_BODY = Obj({"to": ListOf(Address(), one_or_many=True, min_items=1, max_items=MAX_TEST_ADDRESSES,
                              required=True, description="Who gets the test email.")})
LIST_QUERY = Obj({**PAGE_FIELDS, "status": Str(choices=list(CAMPAIGN_STATUSES))}, allow_unknown=False)

_STR, _STRS, _INT = {"type": "string"}, {"type": "array", "items": {"type": "string"}}, {"type": "integer"}
_WHEN = {"type": ["string", "null"], "format": "date-time"}
_UNIQUE_TOTAL = {"type": "object", "properties": {"unique": _INT, "total": _INT}}
_REASONS = {"type": "object", "description": "Skipped recipients per reason: " + ", ".join(audience.SKIP_REASONS)
            + " (and render_failed, quota_exceeded, contact_deleted, template_deleted when they happen).",
            "additionalProperties": _INT}
AUDIENCE_SCHEMA = {"type": "object", "properties": {
    "lists": _STRS, "segments": _STRS, "contact_ids": _STRS}}
PREVIEW_SCHEMA = {"type": "object", "properties": {
    "campaign_id": {"type": "string", "format": "uuid"}, "audience": AUDIENCE_SCHEMA,
    "total": {**_INT, "description": "Contacts in the audience."},
    "recipients": {**_INT, "description": "Those it would be sent to now."},
    "skipped": {**_INT, "description": "Those it would skip."}, "skipped_reasons": _REASONS}}
STATS_SCHEMA = {"type": "object", "properties": {
    "recipients": {**_INT, "description": "Contacts in the audience when sending began."},
    "pending": {**_INT, "description": "Not sent yet."}, "skipped": _INT, "skipped_reasons": _REASONS,
    **{name: _INT for name in ("sent", "delivered", "bounced", "unsubscribed", "spam", "suppressed")},
    "opened": _UNIQUE_TOTAL, "clicked": _UNIQUE_TOTAL,
    **{name: {"type": "number"} for name in ("delivery_rate", "bounce_rate", "open_rate", "click_rate",
                                             "unsubscribe_rate", "spam_rate")},
    "links": {"type": "array", "items": {"type": "object", "properties": {
        "url": _STR, "unique": _INT, "total": _INT}}}}}
CAMPAIGN_SCHEMA: dict[str, Any] = {"type": "object", "properties": {
    "id": {"type": "string", "format": "uuid"}, "name": _STR,
    "status": {"type": "string", "enum": list(CAMPAIGN_STATUSES)},
    "template_id": {"type": ["string", "null"], "format": "uuid"}, "variables": {"type": "object"},
    "subject": {"type": ["string", "null"]}, "html": {"type": ["string", "null"]}, "text": {"type": ["string", "null"]},
    "from_email": {"type": ["string", "null"]}, "reply_to": _STRS, "tags": _STRS,
    "track_opens": {"type": ["boolean", "null"]}, "track_clicks": {"type": ["boolean", "null"]},
    "category": {"type": "string", "enum": ["marketing"]}, "audience": AUDIENCE_SCHEMA,
    "rate_per_minute": {"type": ["integer", "null"]},
    "send_at": _WHEN, "started_at": _WHEN, "completed_at": _WHEN, "cancelled_at": _WHEN,
    "created_at": {"type": "string", "format": "date-time"}, "updated_at": {"type": "string", "format": "date-time"},
    "stats": STATS_SCHEMA}}
TEST_SCHEMA = {"type": "object", "properties": {"campaign_id": {"type": "string", "format": "uuid"},
                                                "emails": {"type": "array", "items": {"type": "object"}}}}
CAMPAIGN_PATH = "/campaigns/<campaign_id:uuid>/"
_CONFLICT = {409: {"description": "Not allowed in the campaign's status, or the draft is not ready to send "
                                  "(no audience): named in the detail."}}
_UNKNOWN = {404: {"description": "A template, list, segment or contact id names nothing (`unknown-reference`)."}}


def _org(request: Request) -> str:
    return request.ctx.principal.organization_id


@endpoint(bp, "GET", "/campaigns/", scope="campaigns:read", summary="List campaigns", query=LIST_QUERY,
          description="Newest first, each with its stats.",
          responses={200: {"description": "A page of campaigns.", "schema": envelope_schema(CAMPAIGN_SCHEMA)}})
async def list_campaigns(request: Request) -> HTTPResponse:
    offset, limit = offset_limit(request.ctx.query)
    count, rows = await request.app.ctx.sandbox.db.run(store.list_campaigns, _org(request), request.ctx.query,
                                                       offset, limit)
    return json_response(envelope(request, count, rows))


@endpoint(bp, "POST", "/campaigns/", scope="campaigns:write", summary="Create a campaign (a draft)",
          description="Content is a `template_id` (with `variables`) or `subject` plus `html` and/or `text`, all "
                      "Jinja2 rendered per recipient with `contact`. Campaigns are marketing mail: each email "
                      "carries RFC 8058 one-click unsubscribe headers.",
          body=CREATE_BODY, responses={201: {"description": "Created.", "schema": CAMPAIGN_SCHEMA}, **_UNKNOWN})
async def create_campaign(request: Request) -> HTTPResponse:
    data = await service.create(request.app.ctx.sandbox, _org(request), request.ctx.body)
    return json_response(data, status=201)


@endpoint(bp, "POST", "/campaigns/audience/", scope="campaigns:read", summary="Count an audience",
          description="How many contacts an audience has, how many would be sent to now, and how many "
                      "skipped and why; nothing is stored.",
          body=AUDIENCE, idempotent=False,
          responses={200: {"description": "The counts.", "schema": PREVIEW_SCHEMA}, **_UNKNOWN})
async def preview_audience(request: Request) -> HTTPResponse:
    return json_response(await request.app.ctx.sandbox.db.run(store.preview_for, _org(request), request.ctx.body))


@endpoint(bp, "GET", CAMPAIGN_PATH, scope="campaigns:read", summary="Get a campaign",
          responses={200: {"description": "The campaign with its stats.", "schema": CAMPAIGN_SCHEMA}, 404: {}})
async def get_campaign(request: Request, campaign_id: Any) -> HTTPResponse:
    return json_response(await request.app.ctx.sandbox.db.run(store.detail, _org(request), str(campaign_id)))


@endpoint(bp, "PATCH", CAMPAIGN_PATH, scope="campaigns:write", summary="Change a draft campaign",
          body=UPDATE_BODY, responses={200: {"description": "The changed campaign.", "schema": CAMPAIGN_SCHEMA},
                                       404: {}, 409: {"description": (
                                           "Not allowed in the campaign's status; or the change, valid in itself, "
                                           "would leave the draft with no template and no subject or body "
                                           "(`campaign-conflict`, the field named in `errors`).")}})
async def update_campaign(request: Request, campaign_id: Any) -> HTTPResponse:
    return json_response(await service.update(request.app.ctx.sandbox, _org(request), str(campaign_id),
                                              request.ctx.body))


@endpoint(bp, "DELETE", CAMPAIGN_PATH, scope="campaigns:write", summary="Delete a draft campaign",
          responses={204: {"description": "Deleted."}, 404: {}, **_CONFLICT})
async def delete_campaign(request: Request, campaign_id: Any) -> HTTPResponse:
    await request.app.ctx.sandbox.db.run(store.delete_campaign, _org(request), str(campaign_id))
    return HTTPResponse(status=204)


@endpoint(bp, "GET", CAMPAIGN_PATH + "audience/", scope="campaigns:read", summary="Count a campaign's audience",
          description="Who the campaign would be sent to if it started now, and who would be skipped and why.",
          responses={200: {"description": "The counts.", "schema": PREVIEW_SCHEMA}, 404: {}})
async def campaign_audience(request: Request, campaign_id: Any) -> HTTPResponse:
    return json_response(await request.app.ctx.sandbox.db.run(store.audience_preview, _org(request),
                                                              str(campaign_id)))


@endpoint(bp, "GET", CAMPAIGN_PATH + "stats/", scope="campaigns:read", summary="A campaign's stats",
          responses={200: {"description": "The stats.", "schema": STATS_SCHEMA}, 404: {}})
async def campaign_stats(request: Request, campaign_id: Any) -> HTTPResponse:
    data = await request.app.ctx.sandbox.db.run(store.detail, _org(request), str(campaign_id))
    return json_response(data["stats"])


@endpoint(bp, "POST", CAMPAIGN_PATH + "send/", scope="campaigns:write", summary="Send a draft campaign",
          description="draft -> scheduled: sending begins at `send_at` on the sandbox clock (now without it), "
                      "then `sending`, then `sent` once every recipient's email is captured, when "
                      "`campaign.completed` fires. The content is first rendered for the first recipient: "
                      "a problem is a 400 and the campaign stays a draft.",
          body=SEND_BODY, responses={200: {"description": "The scheduled campaign.", "schema": CAMPAIGN_SCHEMA},
                                     404: {}, **_CONFLICT})
async def send_campaign(request: Request, campaign_id: Any) -> HTTPResponse:
    return json_response(await service.send(request.app.ctx.sandbox, _org(request), str(campaign_id),
                                            request.ctx.body.get("send_at")))


@endpoint(bp, "POST", CAMPAIGN_PATH + "cancel/", scope="campaigns:write", summary="Cancel a campaign",
          description="scheduled or sending -> cancelled: no more of its email is sent.",
          responses={200: {"description": "The cancelled campaign.", "schema": CAMPAIGN_SCHEMA}, 404: {}, **_CONFLICT})
async def cancel_campaign(request: Request, campaign_id: Any) -> HTTPResponse:
    return json_response(await request.app.ctx.sandbox.db.run(store.cancel, _org(request), str(campaign_id)))


@endpoint(bp, "POST", CAMPAIGN_PATH + "test/", scope="campaigns:write", summary="Send a test of a campaign",
          description="The campaign's email to the given addresses now, personalised as for the contact with "
                      "that address (if any). Not part of the campaign: no `campaign_id`, not in its stats.",
          body=TEST_BODY, responses={202: {"description": "The test emails.", "schema": TEST_SCHEMA}, 404: {}})
async def test_campaign(request: Request, campaign_id: Any) -> HTTPResponse:
    data = await service.test_send(request.app.ctx.sandbox, _org(request), str(campaign_id), request.ctx.body["to"])
    return json_response(data, status=202)
