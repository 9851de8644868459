"""/api/v1/contacts/lists/: list CRUD and bulk membership changes."""
from __future__ import annotations

from typing import Any

from sanic import Blueprint, Request
from sanic.response import HTTPResponse

from gclap_sandbox.api.contact_fields import MAX_BULK, contact_ids_field, emails_field
from gclap_sandbox.api.pagination import (
    PAGE_FIELDS,
    envelope,
    envelope_schema,
    offset_limit,
)
from gclap_sandbox.api.responses import json_response
from gclap_sandbox.api.routing import API_PREFIX, endpoint
from gclap_sandbox.contacts import lists as contact_lists
from gclap_sandbox.schema import Obj, Str
from gclap_sandbox.schema_rules import AnyOf

bp = Blueprint("contact_lists", url_prefix=API_PREFIX, strict_slashes=False)

LIST: dict[str, Any] = {"type": "object", "properties": {
    "id": {"type": "string", "format": "uuid"}, "name": {"type": "string"},
    "description": {"type": "string"}, "member_count": {"type": "integer"},
    "created_at": {"type": "string", "format": "date-time"},
    "updated_at": {"type": "string", "format": "date-time"}}}
_NOT_FOUND = {"type": "object", "description": "Given ids and emails that matched no contact.",
              "properties": {"contact_ids": {"type": "array", "items": {"type": "string"}},
                             "emails": {"type": "array", "items": {"type": "string"}}}}
ADDED = {"type": "object", "properties": {
    "added": {"type": "integer"}, "already_members": {"type": "integer"},
    "not_found": _NOT_FOUND, "member_count": {"type": "integer"}}}
REMOVED = {"type": "object", "properties": {
    "removed": {"type": "integer"}, "not_members": {"type": "integer"},
    "not_found": _NOT_FOUND, "member_count": {"type": "integer"}}}


CREATE_BODY = Obj({"name": Str(required=True, min_length=1, max_length=200),
                   "description": Str(max_length=2000, nullable=True)})
UPDATE_BODY = Obj({"name": Str(min_length=1, max_length=200),
                   "description": Str(max_length=2000, nullable=True)})
MEMBERS_BODY = Obj({"contact_ids": contact_ids_field(), "emails": emails_field()},
                   rules=[AnyOf("contact_ids", "emails", message="Give `contact_ids`, `emails` or both.")],
                   description=f"Up to {MAX_BULK} ids and {MAX_BULK} emails; unknown ones are reported.")
PAGE_QUERY = Obj(dict(PAGE_FIELDS))
LIST_PATH = "/contacts/lists/<list_id:uuid>/"


def _org(request: Request) -> str:
    return request.ctx.principal.organization_id


@endpoint(bp, "GET", "/contacts/lists/", scope="contacts:read", summary="List contact lists", query=PAGE_QUERY,
          responses={200: {"description": "A page of lists.", "schema": envelope_schema(LIST)}})
async def list_lists(request: Request) -> HTTPResponse:
    offset, limit = offset_limit(request.ctx.query)
    count, rows = await request.app.ctx.sandbox.db.run(contact_lists.list_lists, _org(request), offset, limit)
    return json_response(envelope(request, count, rows))


@endpoint(bp, "POST", "/contacts/lists/", scope="contacts:write", summary="Create a contact list",
          body=CREATE_BODY, responses={201: {"description": "Created.", "schema": LIST}})
async def create_list(request: Request) -> HTTPResponse:
    data = await request.app.ctx.sandbox.db.run(contact_lists.create_list, _org(request), request.ctx.body)
    return json_response(data, status=201)


@endpoint(bp, "GET", LIST_PATH, scope="contacts:read", summary="Get a contact list",
          responses={200: {"description": "The list.", "schema": LIST}, 404: {}})
async def get_list(request: Request, list_id: Any) -> HTTPResponse:
    return json_response(await request.app.ctx.sandbox.db.run(contact_lists.detail, _org(request), str(list_id)))


@endpoint(bp, "PATCH", LIST_PATH, scope="contacts:write", summary="Change a contact list", body=UPDATE_BODY,
          responses={200: {"description": "The changed list.", "schema": LIST}, 404: {}})
async def update_list(request: Request, list_id: Any) -> HTTPResponse:
    data = await request.app.ctx.sandbox.db.run(contact_lists.update_list, _org(request), str(list_id),
                                                request.ctx.body)
    return json_response(data)


@endpoint(bp, "DELETE", LIST_PATH, scope="contacts:write", summary="Delete a contact list",
          description="Its contacts stay; only the memberships go.",
          responses={204: {"description": "Deleted."}, 404: {}})
async def delete_list(request: Request, list_id: Any) -> HTTPResponse:
    await request.app.ctx.sandbox.db.run(contact_lists.delete_list, _org(request), str(list_id))
    return HTTPResponse(status=204)


@endpoint(bp, "POST", LIST_PATH + "members/", scope="contacts:write", summary="Add contacts to a list",
          body=MEMBERS_BODY, responses={200: {"description": "What changed.", "schema": ADDED}, 404: {}})
async def add_members(request: Request, list_id: Any) -> HTTPResponse:
    body = request.ctx.body
    data = await request.app.ctx.sandbox.db.run(contact_lists.add_members, _org(request), str(list_id),
                                                body.get("contact_ids") or [], body.get("emails") or [])
    return json_response(data)


@endpoint(bp, "DELETE", LIST_PATH + "members/", scope="contacts:write", summary="Remove contacts from a list",
          body=MEMBERS_BODY, responses={200: {"description": "What changed.", "schema": REMOVED}, 404: {}})
async def remove_members(request: Request, list_id: Any) -> HTTPResponse:
    body = request.ctx.body
    data = await request.app.ctx.sandbox.db.run(contact_lists.remove_members, _org(request), str(list_id),
                                                body.get("contact_ids") or [], body.get("emails") or [])
    return json_response(data)
