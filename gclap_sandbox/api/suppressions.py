"""/api/v1/suppressions/: the addresses this organization no longer sends to."""
from __future__ import annotations

from sanic import Blueprint, Request
from sanic.response import HTTPResponse

from gclap_sandbox.api.bulk_delete import delete_query
from gclap_sandbox.api.pagination import (
    PAGE_FIELDS,
    envelope,
    envelope_schema,
    offset_limit,
)
from gclap_sandbox.api.responses import json_response
from gclap_sandbox.api.routing import API_PREFIX, endpoint
from gclap_sandbox.mail.message import split_address
from gclap_sandbox.pipeline import suppressions
from gclap_sandbox.schema import Address, Obj, Str

bp = Blueprint("suppressions", url_prefix=API_PREFIX, strict_slashes=False)

SUPPRESSION_SCHEMA = {"type": "object", "properties": {
    "email": {"type": "string"}, "reason": {"type": "string", "enum": list(suppressions.REASONS)},
    "email_id": {"type": ["string", "null"], "format": "uuid",
                 "description": "The email whose event suppressed the address."},
    "created_at": {"type": "string", "format": "date-time"}}}

LIST_QUERY = Obj({**PAGE_FIELDS, "email": Address(description="Only this address."),
                  "reason": Str(choices=list(suppressions.REASONS))})
DELETE_QUERY = delete_query({"email": Address(description="The address to take off the list.")},
                            what="suppression")


@endpoint(bp, "GET", "/suppressions/", scope="contacts:read", summary="List suppressed addresses",
          description="Hard bounces, spam complaints and unsubscribes put an address here; mail to it "
          "is then not delivered (`email.suppressed`).", query=LIST_QUERY,
          responses={200: {"description": "A page of suppressions.", "schema": envelope_schema(SUPPRESSION_SCHEMA)}})
async def list_suppressions(request: Request) -> HTTPResponse:
    ctx = request.app.ctx.sandbox
    query = dict(request.ctx.query)
    if query.get("email"):
        query["email"] = split_address(query["email"])[1]
    offset, limit = offset_limit(query)
    count, rows = await ctx.db.run(suppressions.list_suppressions, request.ctx.principal.organization_id,
                                   query, offset, limit)
    return json_response(envelope(request, count, rows))


@endpoint(bp, "DELETE", "/suppressions/", scope="contacts:write",
          summary="Remove an address from the suppression list (or clear it)", query=DELETE_QUERY,
          description="`?email=` takes one address off the list; `?all=true` clears the list. "
                      "Without either it removes nothing and answers 400.",
          responses={200: {"description": "How many were removed.",
                           "schema": {"type": "object", "properties": {"deleted": {"type": "integer"}}}},
                     400: {"description": "Neither `email` nor `all=true`, both, or an empty value."},
                     404: {"description": "The address is not on the list."}})
async def delete_suppressions(request: Request) -> HTTPResponse:
    ctx = request.app.ctx.sandbox
    query = request.ctx.query
    # delete_query guarantees exactly one of the two: an address, or the explicit all=true.
    address = None if query.get("all") else split_address(query["email"])[1]
    deleted = await ctx.db.run(suppressions.remove, request.ctx.principal.organization_id, address)
    return json_response({"deleted": deleted})
