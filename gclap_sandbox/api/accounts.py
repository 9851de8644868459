"""/api/v1/accounts/: API keys, the scope catalogue, the organization and its plan."""
from __future__ import annotations

from typing import Any

from sanic import Blueprint, Request
from sanic.response import HTTPResponse

from gclap_sandbox import clock
from gclap_sandbox.accounts import keys as api_keys
from gclap_sandbox.accounts import limits
from gclap_sandbox.accounts.schemas import CREATE_KEY_BODY, ROTATE_BODY
from gclap_sandbox.accounts.scopes import SCOPES
from gclap_sandbox.api.pagination import (
    PAGE_FIELDS,
    envelope,
    envelope_schema,
    offset_limit,
)
from gclap_sandbox.api.responses import json_response
from gclap_sandbox.api.routing import API_PREFIX, endpoint
from gclap_sandbox.schema import Bool, Obj, Str
from gclap_sandbox.state_errors import time_conflict

bp = Blueprint("accounts", url_prefix=API_PREFIX, strict_slashes=False)

ORGANIZATION_BODY = Obj({
    "plan": Str(choices=list(limits.PLANS), description="Emulate this plan's rate limit and quota."),
    "name": Str(min_length=1, max_length=200),
    "track_opens": Bool(description="Default for mail that does not say: add the open-tracking pixel."),
    "track_clicks": Bool(description="Default for mail that does not say: rewrite links to track clicks."),
})

_NULLABLE_TIME = {"type": ["string", "null"], "format": "date-time"}
KEY_SCHEMA: dict[str, Any] = {"type": "object", "properties": {
    "id": {"type": "string", "format": "uuid"}, "name": {"type": "string"},
    "prefix": {"type": "string"}, "last4": {"type": "string"},
    "scopes": {"type": "array", "items": {"type": "string", "enum": list(SCOPES)}},
    "all_scopes": {"type": "boolean", "description": "Holds every scope, including future ones."},
    "created_at": {"type": "string", "format": "date-time"}, "expires_at": _NULLABLE_TIME,
    "last_used_at": _NULLABLE_TIME, "revoked": {"type": "boolean"}, "revoked_at": _NULLABLE_TIME,
}}
NEW_KEY_SCHEMA: dict[str, Any] = {"type": "object", "properties": {
    **KEY_SCHEMA["properties"],
    "key": {"type": "string", "description": "The secret. Shown this once; only a hash is stored."},
}}
ROTATED_KEY_SCHEMA: dict[str, Any] = {"type": "object", "properties": {
    **NEW_KEY_SCHEMA["properties"],
    "rotated_from": {"type": "string", "format": "uuid"},
    "previous_key_ends_at": {"type": "string", "format": "date-time"},
}}
SCOPES_SCHEMA = {"type": "object", "properties": {
    "count": {"type": "integer"},
    "results": {"type": "array", "items": {"type": "object", "properties": {
        "name": {"type": "string"}, "description": {"type": "string"}}}}}}
_LIMIT = {"type": ["integer", "null"]}
ORGANIZATION_SCHEMA = {"type": "object", "properties": {
    "id": {"type": "string", "format": "uuid"}, "name": {"type": "string"},
    "plan": {"type": "string", "enum": list(limits.PLANS)},
    "limits": {"type": "object", "properties": {
        "name": {"type": "string"}, "requests_per_minute": {"type": "integer"}, "emails_per_month": _LIMIT}},
    "usage": {"type": "object", "properties": {
        "month": {"type": "string"}, "emails": {"type": "integer"}, "emails_remaining": _LIMIT,
        "resets_at": {"type": "string", "format": "date-time"}}},
    "rate_limit": {"type": "object", "properties": {
        "limit": {"type": "integer"}, "remaining": {"type": "integer"},
        "resets_at": {"type": "string", "format": "date-time"}}},
    "tracking": {"type": "object", "description": "Defaults for mail that sets no `track_opens` / "
                 "`track_clicks` (field or X-Gclap-Track-* header).", "properties": {
                     "track_opens": {"type": "boolean"}, "track_clicks": {"type": "boolean"}}},
    "created_at": {"type": "string", "format": "date-time"}}}
KEY_PATH = "/accounts/api-keys/<key_id:uuid>/"


def _last_used(request: Request) -> dict[str, Any]:
    """Hand the in-memory last-used times over to be written with this read."""
    ctx = request.app.ctx.sandbox
    usage = dict(ctx.key_last_used)
    ctx.key_last_used.clear()
    return usage


@endpoint(bp, "GET", "/accounts/scopes/", scope=None, summary="The scope catalogue",
          description="Every scope an API key can hold, with what it allows. Any valid key may read it.",
          responses={200: {"description": "The scopes.", "schema": SCOPES_SCHEMA}})
async def list_scopes(request: Request) -> HTTPResponse:
    results = [{"name": name, "description": text} for name, text in SCOPES.items()]
    return json_response({"count": len(results), "results": results})


@endpoint(bp, "POST", "/accounts/api-keys/", scope="api_keys:manage", summary="Create an API key",
          description="The response is the only time the secret is shown.", body=CREATE_KEY_BODY,
          responses={201: {"description": "Created.", "schema": NEW_KEY_SCHEMA},
                     409: {"description": "`expires_at` is not later than the sandbox's now."}})
async def create_api_key(request: Request) -> HTTPResponse:
    ctx = request.app.ctx.sandbox
    data = request.ctx.body
    if data.get("expires_at") is not None and data["expires_at"] <= clock.now():
        raise time_conflict("expires_at", f"Must be later than the sandbox's now ({clock.iso(clock.now())}).")
    created = await ctx.db.run(api_keys.create_key, request.ctx.principal.organization_id, data["name"],
                               data.get("scopes"), data.get("expires_at"))
    return json_response(created, status=201)


@endpoint(bp, "GET", "/accounts/api-keys/", scope="api_keys:manage", summary="List API keys",
          description="Newest first; never includes secrets.", query=Obj(PAGE_FIELDS),
          responses={200: {"description": "A page of keys.", "schema": envelope_schema(KEY_SCHEMA)}})
async def list_api_keys(request: Request) -> HTTPResponse:
    ctx = request.app.ctx.sandbox
    offset, limit = offset_limit(request.ctx.query)
    count, rows = await ctx.db.run(api_keys.list_keys, request.ctx.principal.organization_id,
                                   _last_used(request), offset, limit)
    return json_response(envelope(request, count, rows))


@endpoint(bp, "GET", KEY_PATH, scope="api_keys:manage", summary="Get one API key",
          responses={200: {"description": "The key (never its secret).", "schema": KEY_SCHEMA}, 404: {}})
async def get_api_key(request: Request, key_id: Any) -> HTTPResponse:
    ctx = request.app.ctx.sandbox
    return json_response(await ctx.db.run(api_keys.get_key, request.ctx.principal.organization_id,
                                          str(key_id), _last_used(request)))


@endpoint(bp, "DELETE", KEY_PATH, scope="api_keys:manage", summary="Revoke an API key",
          description="Requests with the key get 401 from now on.",
          responses={204: {"description": "Revoked."}, 404: {}})
async def revoke_api_key(request: Request, key_id: Any) -> HTTPResponse:
    ctx = request.app.ctx.sandbox
    await ctx.db.run(api_keys.revoke_key, request.ctx.principal.organization_id, str(key_id))
    ctx.keys.clear()
    return HTTPResponse(status=204)


@endpoint(bp, "POST", KEY_PATH + "rotate/", scope="api_keys:manage", summary="Rotate an API key",
          description="Returns a new key with the same name, scopes and expiry; the old secret keeps "
                      "working for `grace_period_seconds` (default 0), then gets 401.",
          body=ROTATE_BODY, responses={201: {"description": "The new key.", "schema": ROTATED_KEY_SCHEMA},
                                       404: {}})
async def rotate_api_key(request: Request, key_id: Any) -> HTTPResponse:
    ctx = request.app.ctx.sandbox
    rotated = await ctx.db.run(api_keys.rotate_key, request.ctx.principal.organization_id, str(key_id),
                               request.ctx.body["grace_period_seconds"])
    ctx.keys.clear()
    return json_response(rotated, status=201)


async def _organization(request: Request) -> dict[str, Any]:
    ctx = request.app.ctx.sandbox
    org_id = request.ctx.principal.organization_id
    view = await ctx.db.run(limits.organization_view, org_id)
    verdict = ctx.limiter.peek(org_id, clock.now())
    view["rate_limit"] = {"limit": verdict.limit, "remaining": verdict.remaining,
                          "resets_at": clock.iso(verdict.reset_at)}
    return view


@endpoint(bp, "GET", "/accounts/organization/", scope="analytics:read",
          summary="The organization, its plan and usage",
          description="Plan, the plan's limits, this month's email usage and the current rate-limit "
                      "window.",
          responses={200: {"description": "The organization.", "schema": ORGANIZATION_SCHEMA}})
async def get_organization(request: Request) -> HTTPResponse:
    return json_response(await _organization(request))


# Not rate limited, so a test that drove the organization over its limit can always switch back.
@endpoint(bp, "PATCH", "/accounts/organization/", rate_limited=False, scope="api_keys:manage",
          summary="Rename the organization, switch its plan or set its tracking defaults",
          description="Switching plan emulates that plan's rate limit and monthly quota at once, in a "
                      "fresh rate-limit window. `track_opens` / `track_clicks` are the defaults for mail "
                      "that does not set them.",
          body=ORGANIZATION_BODY,
          responses={200: {"description": "The organization.", "schema": ORGANIZATION_SCHEMA}})
async def update_organization(request: Request) -> HTTPResponse:
    ctx = request.app.ctx.sandbox
    org_id = request.ctx.principal.organization_id
    plan = await ctx.db.run(limits.update_organization, org_id, request.ctx.body)
    if "plan" in request.ctx.body:
        ctx.limiter.switch_plan(org_id, plan)
    return json_response(await _organization(request))
