"""/api/v1/domains/: sending domains, the DNS records they publish, and their verification."""
from __future__ import annotations

import asyncio
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
from gclap_sandbox.domains import keys, names, store, verification
from gclap_sandbox.schema import Obj, Str

bp = Blueprint("domains", url_prefix=API_PREFIX, strict_slashes=False)

DOMAIN_PATH = "/domains/<domain_id:uuid>/"
RECORD: dict[str, Any] = {"type": "object", "properties": {
    "purpose": {"type": "string", "enum": ["spf", "dkim", "dmarc", "return_path"]},
    "type": {"type": "string", "enum": ["TXT", "CNAME"]},
    "name": {"type": "string", "description": "Where to publish it."},
    "value": {"type": "string", "description": "What to publish."},
    "required": {"type": "boolean", "description": "Needed for the domain to be verified (SPF and DKIM)."},
    "status": {"type": "string", "enum": ["pending", "verified", "missing", "wrong"]},
    "found": {"type": "array", "items": {"type": "string"}, "description": "What the last check found there."},
    "detail": {"type": "string", "description": "Why the record has its status."},
    "resolver": {"type": ["string", "null"], "description": "Where the last check looked (null: not checked)."},
    "policy": {"type": ["string", "null"], "description": "DMARC only: the policy found (p=)."}}}
DOMAIN: dict[str, Any] = {"type": "object", "properties": {
    "id": {"type": "string", "format": "uuid"},
    "domain": {"type": "string"},
    "status": {"type": "string", "enum": ["pending", "verified", "failed"],
               "description": "pending: never checked; verified: SPF and DKIM passed at the last check."},
    "verified": {"type": "boolean"},
    "dkim_selector": {"type": "string"},
    "records": {"type": "array", "items": RECORD},
    "created_at": {"type": "string", "format": "date-time"},
    "checked_at": {"type": ["string", "null"], "format": "date-time"},
    "verified_at": {"type": ["string", "null"], "format": "date-time"}}}
CREATE_BODY = Obj({"domain": Str(required=True, max_length=254, pattern=names.DOMAIN_PATTERN,
                                 pattern_hint=names.DOMAIN_HINT,
                                 description="The domain mail is sent from (the From address's domain).")})
PAGE_QUERY = Obj(dict(PAGE_FIELDS))
_RECORDS = ("Adding a domain generates its DKIM key pair (RSA 2048; the private key never leaves the "
            "sandbox) and answers the records to publish: SPF, DKIM, DMARC and a return-path CNAME.")
_VERIFY = ("Looks every record up through the sandbox's resolver (its own zone, `PUT /api/v1/sandbox/dns/`, "
           "or real DNS with `serve --dns`) and reports each as `verified`, `missing` or `wrong` with what "
           "was found. The domain is verified when SPF and DKIM pass; mail from a verified domain is then "
           "DKIM-signed when delivered and relayed.")


def _org(request: Request) -> str:
    return request.ctx.principal.organization_id


@endpoint(bp, "POST", "/domains/", scope="deliverability:write", summary="Add a sending domain",
          description=_RECORDS, body=CREATE_BODY,
          responses={201: {"description": "The domain with the records to publish.", "schema": DOMAIN},
                     409: {"description": "The domain is already added (`domain-exists`)."}})
async def add_domain(request: Request) -> HTTPResponse:
    ctx = request.app.ctx.sandbox
    key_pair = await asyncio.get_running_loop().run_in_executor(None, keys.new_key_pair)  # CPU-bound
    data = await ctx.db.run(store.add_domain, _org(request), names.normalize(request.ctx.body["domain"]), key_pair)
    return json_response(data, status=201)


@endpoint(bp, "GET", "/domains/", scope="deliverability:read", summary="List sending domains", query=PAGE_QUERY,
          responses={200: {"description": "A page of domains, by name.", "schema": envelope_schema(DOMAIN)}})
async def list_domains(request: Request) -> HTTPResponse:
    offset, limit = offset_limit(request.ctx.query)
    count, rows = await request.app.ctx.sandbox.db.run(store.list_domains, _org(request), offset, limit)
    return json_response(envelope(request, count, rows))


@endpoint(bp, "GET", DOMAIN_PATH, scope="deliverability:read", summary="Get a sending domain",
          responses={200: {"description": "The domain, its records and the last check.", "schema": DOMAIN},
                     404: {}})
async def get_domain(request: Request, domain_id: Any) -> HTTPResponse:
    return json_response(await request.app.ctx.sandbox.db.run(store.detail, _org(request), str(domain_id)))


@endpoint(bp, "DELETE", DOMAIN_PATH, scope="deliverability:write", summary="Delete a sending domain",
          description="Its key is deleted with it: its mail is no longer signed.",
          responses={204: {"description": "Deleted."}, 404: {}})
async def delete_domain(request: Request, domain_id: Any) -> HTTPResponse:
    await request.app.ctx.sandbox.db.run(store.delete_domain, _org(request), str(domain_id))
    return HTTPResponse(status=204)


@endpoint(bp, "POST", DOMAIN_PATH + "verify/", scope="deliverability:write", summary="Check a domain's records now",
          description=_VERIFY, idempotent=False,
          responses={200: {"description": "The domain with each record's result.", "schema": DOMAIN}, 404: {}})
async def verify_domain(request: Request, domain_id: Any) -> HTTPResponse:
    data = await verification.verify_domain(request.app.ctx.sandbox, _org(request), str(domain_id))
    return json_response(data)
