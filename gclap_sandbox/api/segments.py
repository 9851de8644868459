"""/api/v1/contacts/segments/: saved rule sets, their contacts and count."""
from __future__ import annotations

from typing import Any

from sanic import Blueprint, Request
from sanic.response import HTTPResponse

from gclap_sandbox.api.contact_fields import SegmentRules
from gclap_sandbox.api.contacts import CONTACT
from gclap_sandbox.api.pagination import (
    PAGE_FIELDS,
    envelope,
    envelope_schema,
    offset_limit,
)
from gclap_sandbox.api.responses import json_response
from gclap_sandbox.api.routing import API_PREFIX, endpoint
from gclap_sandbox.contacts import segment_store
from gclap_sandbox.schema import Obj, Str

bp = Blueprint("segments", url_prefix=API_PREFIX, strict_slashes=False)

SEGMENT: dict[str, Any] = {"type": "object", "properties": {
    "id": {"type": "string", "format": "uuid"}, "name": {"type": "string"}, "rules": {"type": "object"},
    "contact_count": {"type": "integer", "description": "Contacts matching the rules now."},
    "created_at": {"type": "string", "format": "date-time"},
    "updated_at": {"type": "string", "format": "date-time"}}}
CREATE_BODY = Obj({"name": Str(required=True, min_length=1, max_length=200),
                   "rules": SegmentRules(required=True)})
UPDATE_BODY = Obj({"name": Str(min_length=1, max_length=200), "rules": SegmentRules()})
PAGE_QUERY = Obj(dict(PAGE_FIELDS))
SEGMENT_PATH = "/contacts/segments/<segment_id:uuid>/"


def _org(request: Request) -> str:
    return request.ctx.principal.organization_id


@endpoint(bp, "GET", "/contacts/segments/", scope="contacts:read", summary="List segments", query=PAGE_QUERY,
          responses={200: {"description": "A page of segments.", "schema": envelope_schema(SEGMENT)}})
async def list_segments(request: Request) -> HTTPResponse:
    offset, limit = offset_limit(request.ctx.query)
    count, rows = await request.app.ctx.sandbox.db.run(segment_store.list_segments, _org(request), offset, limit)
    return json_response(envelope(request, count, rows))


@endpoint(bp, "POST", "/contacts/segments/", scope="contacts:write", summary="Create a segment",
          description="Rules are checked on save; a 400 names each bad rule by its path.",
          body=CREATE_BODY, responses={201: {"description": "Created.", "schema": SEGMENT}})
async def create_segment(request: Request) -> HTTPResponse:
    data = await request.app.ctx.sandbox.db.run(segment_store.create_segment, _org(request), request.ctx.body)
    return json_response(data, status=201)


@endpoint(bp, "GET", SEGMENT_PATH, scope="contacts:read", summary="Get a segment with its contact count",
          responses={200: {"description": "The segment.", "schema": SEGMENT}, 404: {}})
async def get_segment(request: Request, segment_id: Any) -> HTTPResponse:
    return json_response(await request.app.ctx.sandbox.db.run(segment_store.detail, _org(request),
                                                              str(segment_id)))


@endpoint(bp, "PATCH", SEGMENT_PATH, scope="contacts:write", summary="Change a segment", body=UPDATE_BODY,
          responses={200: {"description": "The changed segment.", "schema": SEGMENT}, 404: {}})
async def update_segment(request: Request, segment_id: Any) -> HTTPResponse:
    data = await request.app.ctx.sandbox.db.run(segment_store.update_segment, _org(request), str(segment_id),
                                                request.ctx.body)
    return json_response(data)


@endpoint(bp, "DELETE", SEGMENT_PATH, scope="contacts:write", summary="Delete a segment",
          responses={204: {"description": "Deleted."}, 404: {}})
async def delete_segment(request: Request, segment_id: Any) -> HTTPResponse:
    await request.app.ctx.sandbox.db.run(segment_store.delete_segment, _org(request), str(segment_id))
    return HTTPResponse(status=204)


@endpoint(bp, "GET", SEGMENT_PATH + "contacts/", scope="contacts:read", summary="Contacts in a segment",
          description="Evaluated now, in SQL; newest first. `count` is the segment's size.", query=PAGE_QUERY,
          responses={200: {"description": "A page of contacts.", "schema": envelope_schema(CONTACT)}, 404: {}})
async def segment_contacts(request: Request, segment_id: Any) -> HTTPResponse:
    offset, limit = offset_limit(request.ctx.query)
    count, rows = await request.app.ctx.sandbox.db.run(segment_store.segment_contacts, _org(request),
                                                       str(segment_id), offset, limit)
    return json_response(envelope(request, count, rows))
