"""/api/v1/sandbox/organizations/: the sandbox admin creates, lists and deletes organizations.

Each organization is a sandbox of its own behind the same address (its inbox, contacts,
webhooks, templates, plan and keys); a team's CI jobs take one each. Only keys of the default
organization hold the `sandbox:admin` scope these routes need.
"""
from __future__ import annotations

from typing import Any

from sanic import Blueprint, Request
from sanic.response import HTTPResponse

from gclap_sandbox.accounts import limits, organizations_admin
from gclap_sandbox.api.accounts import NEW_KEY_SCHEMA
from gclap_sandbox.api.pagination import PAGE_FIELDS, envelope, envelope_schema, offset_limit
from gclap_sandbox.api.responses import json_response
from gclap_sandbox.api.routing import API_PREFIX, endpoint
from gclap_sandbox.schema import Obj, Str

bp = Blueprint("sandbox_organizations", url_prefix=API_PREFIX, strict_slashes=False)

SCOPE = "sandbox:admin"
ORGANIZATION_PATH = "/sandbox/organizations/<organization_id:uuid>/"

CREATE_BODY = Obj({
    "name": Str(required=True, min_length=1, max_length=200, description="What people call it."),
    "plan": Str(choices=list(limits.PLANS), default=limits.DEFAULT_PLAN,
                description="The plan whose rate limit and monthly quota it gets "
                            f"(default `{limits.DEFAULT_PLAN}`)."),
})
ORGANIZATION_SCHEMA: dict[str, Any] = {"type": "object", "properties": {
    "id": {"type": "string", "format": "uuid"}, "name": {"type": "string"},
    "plan": {"type": "string", "enum": list(limits.PLANS)},
    "is_default": {"type": "boolean", "description": "The sandbox's own organization (cannot be deleted)."},
    "created_at": {"type": "string", "format": "date-time"}}}
CREATED_SCHEMA: dict[str, Any] = {"type": "object", "properties": {
    **ORGANIZATION_SCHEMA["properties"],
    "api_key": {**NEW_KEY_SCHEMA, "description": "Its first key, with every scope an organization's key "
                                                 "can hold. The secret is shown this once."}}}
DELETED_SCHEMA: dict[str, Any] = {"type": "object", "properties": {
    "deleted": {"type": "object", "additionalProperties": {"type": "integer"},
                "description": "Rows deleted per table."}}}


@endpoint(bp, "POST", "/sandbox/organizations/", scope=SCOPE, summary="Create an organization",
          description="A new organization with its own inbox, contacts, webhooks, templates, plan and "
                      "keys, invisible to every other organization. Returns its first key.",
          body=CREATE_BODY, responses={201: {"description": "Created.", "schema": CREATED_SCHEMA}})
async def create_organization(request: Request) -> HTTPResponse:
    body = request.ctx.body
    created = await request.app.ctx.sandbox.db.run(organizations_admin.create, body["name"], body["plan"])
    return json_response(created, status=201)


@endpoint(bp, "GET", "/sandbox/organizations/", scope=SCOPE, summary="List organizations",
          description="The default organization first, then the others oldest first.",
          query=Obj(PAGE_FIELDS),
          responses={200: {"description": "A page of organizations.",
                           "schema": envelope_schema(ORGANIZATION_SCHEMA)}})
async def list_organizations(request: Request) -> HTTPResponse:
    offset, limit = offset_limit(request.ctx.query)
    count, rows = await request.app.ctx.sandbox.db.run(organizations_admin.list_page, offset, limit)
    return json_response(envelope(request, count, rows))


@endpoint(bp, "GET", ORGANIZATION_PATH, scope=SCOPE, summary="Get one organization",
          responses={200: {"description": "The organization.", "schema": ORGANIZATION_SCHEMA}, 404: {}})
async def get_organization(request: Request, organization_id: Any) -> HTTPResponse:
    return json_response(await request.app.ctx.sandbox.db.run(organizations_admin.get, str(organization_id)))


@endpoint(bp, "DELETE", ORGANIZATION_PATH, scope=SCOPE, summary="Delete an organization and all its data",
          description="Deletes the organization with its mail, events, contacts, webhooks, templates, "
                      "keys and every other row it owns; its keys get 401 at once. The default "
                      "organization cannot be deleted (409).",
          responses={200: {"description": "What was deleted.", "schema": DELETED_SCHEMA}, 404: {},
                     409: {"description": "The default organization."}})
async def delete_organization(request: Request, organization_id: Any) -> HTTPResponse:
    ctx = request.app.ctx.sandbox
    deleted = await ctx.db.run(organizations_admin.delete, str(organization_id))
    ctx.keys.clear()  # its keys stop working now, not when the cache would have let them go
    ctx.limiter.drop(str(organization_id))
    await ctx.db.run(ctx.db.forget_caches)
    return json_response({"deleted": deleted})
