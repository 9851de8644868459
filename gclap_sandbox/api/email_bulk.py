"""/api/v1/emails/bulk/...: act on many captured emails at once; /api/v1/emails/tags/: the tags.

Every bulk route names its emails the same way (inbox/bulk.py): `ids` (not empty), `q` (an
inbox search, every page of its matches) or `all: true`. Nothing else ever widens to "all".
"""
from __future__ import annotations

from typing import Any

from sanic import Blueprint, Request
from sanic.response import HTTPResponse

from gclap_sandbox.api.responses import json_response
from gclap_sandbox.api.routing import API_PREFIX, endpoint
from gclap_sandbox.inbox import bulk as inbox_bulk
from gclap_sandbox.inbox import bulk_release
from gclap_sandbox.inbox import tags as inbox_tags
from gclap_sandbox.inbox.listing import unread_count
from gclap_sandbox.schema import Bool, ListOf, Obj, Uuid
from gclap_sandbox.schema_rules import AnyOf, OneOf

bp = Blueprint("email_bulk", url_prefix=API_PREFIX, strict_slashes=False)

_SELECTION_RULES = (OneOf("ids", "q", "all", message="Give exactly one of `ids`, `q` or `all: true`."),)
_SELECTION_HELP = ("Name the emails with exactly one of `ids` (a non-empty list), `q` (an inbox search such as "
                   "`tag:newsletter is:unread`: every page of its matches) or `all: true` (the whole inbox). "
                   "An empty list, a blank search or a search with mistakes is a 400 and changes nothing. "
                   "With `q` or `all`, `expected` (the count you showed) makes the call a 409 with the new "
                   "`count` if the matches changed meanwhile. Ids of emails that do not exist are skipped.")


def _selection_body(**extra: Any) -> Obj:
    return Obj({**inbox_bulk.SELECTION_FIELDS, **extra}, rules=_SELECTION_RULES,
               extra_check=inbox_bulk.check_selection)


READ_BODY = _selection_body(read=Bool(default=True, description="true: mark read; false: mark unread."))
TAGS_BODY = Obj({
    **inbox_bulk.SELECTION_FIELDS,
    "add": ListOf(inbox_tags.tag_field(), max_items=50, description="Tags to add (kept once each, any case)."),
    "remove": ListOf(inbox_tags.tag_field(), max_items=50, description="Tags to remove (any case)."),
}, rules=(*_SELECTION_RULES, AnyOf("add", "remove", message="Give tags to `add` or to `remove`.")),
    extra_check=inbox_bulk.check_selection)
DELETE_BODY = _selection_body()
RELEASE_BODY = Obj({"ids": ListOf(Uuid(), min_items=1, max_items=bulk_release.MAX_RELEASE, required=True,
                                  description="The emails to relay upstream, each to its own recipients.")})
RENAME_BODY = Obj({"from": inbox_tags.tag_field("The tag to rename (any case).", required=True),
                   "to": inbox_tags.tag_field("Its new name.", required=True)})

_COUNT = {"type": "integer", "minimum": 0}
_CHANGED = {"type": "object", "properties": {"changed": _COUNT, "unread": _COUNT}}
_SELECTION_ERRORS = {400: {"description": "No emails named, more than one way, an empty list, a blank or faulty "
                                          "search, or a bad value."},
                     409: {"description": "`expected` no longer matches (`results-changed`, with the new `count`)."}}


async def _unread(request: Request) -> int:
    return await request.app.ctx.sandbox.db.run(unread_count, request.ctx.principal.organization_id)


@endpoint(bp, "POST", "/emails/bulk/read/", scope="emails:write", summary="Mark emails read or unread",
          description=_SELECTION_HELP, body=READ_BODY, idempotent=False,
          responses={200: {"description": "How many changed, and the inbox's unread count.", "schema": _CHANGED},
                     **_SELECTION_ERRORS})
async def bulk_read(request: Request) -> HTTPResponse:
    body, ctx = request.ctx.body, request.app.ctx.sandbox
    changed = await ctx.db.run(inbox_bulk.mark_read, request.ctx.principal.organization_id,
                               inbox_bulk.Scope.of(body), body["read"], body.get("expected"))
    return json_response({"changed": changed, "unread": await _unread(request)})


@endpoint(bp, "POST", "/emails/bulk/tags/", scope="emails:write", summary="Add and remove tags on emails",
          description=_SELECTION_HELP + " A tag both added and removed is removed.", body=TAGS_BODY,
          idempotent=False,
          responses={200: {"description": "How many emails changed.", "schema": _CHANGED}, **_SELECTION_ERRORS})
async def bulk_tags(request: Request) -> HTTPResponse:
    body, ctx = request.ctx.body, request.app.ctx.sandbox
    changed = await ctx.db.run(inbox_bulk.change_tags, request.ctx.principal.organization_id,
                               inbox_bulk.Scope.of(body), body.get("add") or [], body.get("remove") or [],
                               body.get("expected"))
    return json_response({"changed": changed, "unread": await _unread(request)})


@endpoint(bp, "POST", "/emails/bulk/delete/", scope="emails:write", summary="Delete emails",
          description=_SELECTION_HELP, body=DELETE_BODY, idempotent=False,
          responses={200: {"description": "How many were deleted.",
                           "schema": {"type": "object", "properties": {"deleted": _COUNT, "unread": _COUNT}}},
                     **_SELECTION_ERRORS})
async def bulk_delete(request: Request) -> HTTPResponse:
    body, ctx = request.ctx.body, request.app.ctx.sandbox
    deleted = await ctx.db.run(inbox_bulk.delete, request.ctx.principal.organization_id,
                               inbox_bulk.Scope.of(body), body.get("expected"))
    return json_response({"deleted": deleted, "unread": await _unread(request)})


_RELEASE_RESULT = {"type": "object", "properties": {
    "upstream": {"type": "string"}, "released": _COUNT, "failed": _COUNT,
    "results": {"type": "array", "items": {"type": "object", "properties": {
        "id": {"type": "string", "format": "uuid"}, "released": {"type": "boolean"},
        "status": {"type": "string"}, "recipients": {"type": "array", "items": {"type": "string"}},
        "skipped": {"type": "array", "items": {"type": "string"}},
        "problem": {"type": "object", "description": "Why this one was not relayed (problem+json members)."}}}}}}


@endpoint(bp, "POST", "/emails/bulk/release/", scope="emails:send", summary="Relay several emails upstream now",
          description="Each email goes to its own recipients through the relay server (`serve --relay`), as its "
                      "own release/ would; one failure does not stop the others. Only ids: a search or the whole "
                      "inbox cannot be released at once.",
          body=RELEASE_BODY, idempotent=False,
          responses={200: {"description": "What happened to each email.", "schema": _RELEASE_RESULT},
                     409: {"description": "Relaying is not configured; nothing was sent."}})
async def bulk_release_emails(request: Request) -> HTTPResponse:
    result = await bulk_release.release_many(request.app.ctx.sandbox, request.ctx.principal.organization_id,
                                             [str(i) for i in request.ctx.body["ids"]])
    return json_response(result)


@endpoint(bp, "GET", "/emails/tags/", scope="emails:read", summary="Tags in the inbox, with counts",
          responses={200: {"description": "Every tag, A to Z, with how many emails carry it.", "schema": {
              "type": "object", "properties": {"results": {"type": "array", "items": {
                  "type": "object", "properties": {"tag": {"type": "string"}, "count": _COUNT}}}}}}})
async def list_tags(request: Request) -> HTTPResponse:
    counts = await request.app.ctx.sandbox.db.run(inbox_tags.tag_counts, request.ctx.principal.organization_id)
    return json_response({"results": [{"tag": t.tag, "count": t.count} for t in counts]})


@endpoint(bp, "POST", "/emails/tags/rename/", scope="emails:write", summary="Rename a tag on every email",
          description="Every email with `from` (any case) gets `to` instead; an email that has both keeps one. "
                      "Renaming a tag to its own name changes nothing.",
          body=RENAME_BODY, idempotent=False,
          responses={200: {"description": "How many emails changed.", "schema": _CHANGED},
                     400: {"description": "A bad tag."},
                     404: {"description": "No email has the tag (`unknown-tag`)."}})
async def rename_tag(request: Request) -> HTTPResponse:
    body = request.ctx.body
    changed = await request.app.ctx.sandbox.db.run(inbox_tags.rename, request.ctx.principal.organization_id,
                                                   body["from"], body["to"])
    return json_response({"changed": changed, "unread": await _unread(request)})
