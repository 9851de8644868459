"""/api/v1/sandbox/dns/: the sandbox's own DNS zone, which domain verification reads by default."""
from __future__ import annotations

from typing import Any

from sanic import Blueprint, Request
from sanic.response import HTTPResponse

from gclap_sandbox.api.bulk_delete import delete_query
from gclap_sandbox.api.responses import json_response
from gclap_sandbox.api.routing import API_PREFIX, endpoint
from gclap_sandbox.domains import names, zone
from gclap_sandbox.schema import ListOf, Obj, Str, TaggedUnion

bp = Blueprint("sandbox_dns", url_prefix=API_PREFIX, strict_slashes=False)

MAX_RECORDS = 500
MAX_TXT = 4096


def _name(description: str) -> Str:
    return Str(required=True, max_length=254, pattern=names.RECORD_NAME_PATTERN,
               pattern_hint=names.RECORD_NAME_HINT, description=description)


RECORD_INPUT = TaggedUnion("type", {
    "TXT": Obj({"name": _name("The record's name, e.g. _dmarc.example.com."),
                "value": Str(required=True, max_length=MAX_TXT, single_line=True,
                             description="The text, its strings joined (as SPF and DKIM read it).")}),
    "CNAME": Obj({"name": _name("The alias."), "value": _name("The name it points at.")}),
}, name="SandboxDnsRecord")
PUT_BODY = Obj({"records": ListOf(RECORD_INPUT, required=True, min_items=1, max_items=MAX_RECORDS)})
ZONE: dict[str, Any] = {"type": "object", "properties": {"records": {"type": "array", "items": {
    "type": "object", "properties": {"name": {"type": "string"}, "type": {"type": "string", "enum": list(zone.TYPES)},
                                     "value": {"type": "string"}}}}}}
DELETE_QUERY = delete_query({
    "name": Str(max_length=254, pattern=names.RECORD_NAME_PATTERN, pattern_hint=names.RECORD_NAME_HINT,
                description="Delete the records of this name."),
    "type": Str(choices=list(zone.TYPES), description="Delete only records of this type."),
}, what="record of the zone")


@endpoint(bp, "GET", "/sandbox/dns/", scope="sandbox:control", summary="The sandbox's DNS zone",
          responses={200: {"description": "Every record, by name.", "schema": ZONE}})
async def get_zone(request: Request) -> HTTPResponse:
    return json_response({"records": await request.app.ctx.sandbox.db.run(zone.all_records)})


@endpoint(bp, "PUT", "/sandbox/dns/", scope="sandbox:control", summary="Set records in the sandbox's DNS zone",
          description="For each name and type given, the zone's records of that name and type become exactly "
                      "the ones given; other records stay. Names are compared without case and final dot. "
                      "Every reset empties the zone.",
          body=PUT_BODY, responses={200: {"description": "The whole zone now.", "schema": ZONE}})
async def put_zone(request: Request) -> HTTPResponse:
    given = [{"name": names.normalize(r["name"]), "type": r["type"],
              "value": names.normalize(r["value"]) if r["type"] == "CNAME" else r["value"]}
             for r in request.ctx.body["records"]]
    return json_response({"records": await request.app.ctx.sandbox.db.run(zone.set_records, given)})


@endpoint(bp, "DELETE", "/sandbox/dns/", scope="sandbox:control", summary="Delete records from the sandbox's DNS zone",
          description="Deletes the records matching `name` and/or `type`, or every record with `all=true`. "
                      "Without either it deletes nothing and answers 400.",
          query=DELETE_QUERY,
          responses={200: {"description": "How many were deleted.",
                           "schema": {"type": "object", "properties": {"deleted": {"type": "integer"}}}},
                     400: {"description": "No filter and no `all=true`, both, an empty value or a bad name."}})
async def delete_zone_records(request: Request) -> HTTPResponse:
    query = request.ctx.query
    name = names.normalize(query["name"]) if query.get("name") else None
    deleted = await request.app.ctx.sandbox.db.run(zone.delete_records, name, query.get("type"))
    return json_response({"deleted": deleted})
