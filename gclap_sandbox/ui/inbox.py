"""The inbox page: the list with search and keyset paging, live rows, and bulk actions."""
from __future__ import annotations

import asyncio
from typing import Any

from sanic import Request
from sanic.response import HTTPResponse

from gclap_sandbox.http_json import json_body, json_response
from gclap_sandbox.inbox import bulk as inbox_bulk
from gclap_sandbox.inbox import bulk_release
from gclap_sandbox.inbox import listing as inbox_page
from gclap_sandbox.inbox import queries as inbox
from gclap_sandbox.inbox import tags as inbox_tags
from gclap_sandbox.inbox.search import parse_search
from gclap_sandbox.schema import Bool, ListOf, Obj, Str, Uuid
from gclap_sandbox.schema_rules import AnyOf
from gclap_sandbox.ui.base import (
    NavItem,
    bp,
    db_run,
    organization_of,
    page,
    render,
    sandbox_of,
    templates,
)
from gclap_sandbox.ui.email_checks import page_with_checks, rows_above_with_checks
from gclap_sandbox.ui.live import is_close, sse_message

HEARTBEAT_SECONDS = 15.0
PAGE_SIZE_COOKIE = "gclap_inbox_size"  # the page size last chosen (set by inbox.js)

NAV = NavItem("Inbox", "/", 10)


def _inbox_data(organization_id: str, search: Any, before: Any, after: Any, size: int) -> dict[str, Any]:
    """The page and the tag list, in one unit of work (DB thread)."""
    return {"page": page_with_checks(organization_id, search, before, after, size),
            "tags": inbox_tags.tag_counts(organization_id)}


@page("/", name="inbox")
async def inbox_view(request: Request) -> HTTPResponse:
    text = request.args.get("q", "")
    search = parse_search(text)
    before = inbox_page.decode_cursor(request.args.get("before"), "before")
    after = inbox_page.decode_cursor(request.args.get("after"), "after")
    size = inbox_page.page_size(request.args.get("size"), request.cookies.get(PAGE_SIZE_COOKIE))
    ctx = sandbox_of(request)
    data = await db_run(request, _inbox_data, organization_of(request), search, before, after, size)
    return render(request, "inbox.html", q=text, page_size=size, page_sizes=inbox_page.PAGE_SIZES,
                  relay_upstream=bulk_release.upstream(ctx), **data)


@bp.get("/ui/api/emails/rows", name="rows_above")
async def rows_above(request: Request) -> HTTPResponse:
    """Rows newer than `above` that match `q`, as HTML (the live inbox inserts them)."""
    search = parse_search(request.args.get("q", ""))
    top = inbox_page.decode_cursor(request.args.get("above"), "above")
    new = await db_run(request, rows_above_with_checks, organization_of(request), search, top)
    fragment = templates.get_template("_rows.html").render(rows=new.rows)
    return json_response({"html": fragment, "count": len(new.rows), "total": new.total, "unread": new.unread,
                          "unread_matches": new.unread_matches,
                          "top": new.rows[0]["cursor"] if new.rows else request.args.get("above")})


@bp.get("/ui/events", name="events")
async def live_events(request: Request) -> HTTPResponse:
    """Server-sent events: `email` when mail arrives (more kinds as areas publish them)."""
    ctx = sandbox_of(request)
    response = await request.respond(content_type="text/event-stream", headers={
        "Cache-Control": "no-store", "X-Accel-Buffering": "no"})
    with ctx.live.subscribe(organization_of(request)) as queue:
        await response.send("retry: 2000\n\n")
        while True:
            try:
                item = await asyncio.wait_for(queue.get(), HEARTBEAT_SECONDS)
            except asyncio.TimeoutError:
                await response.send(": keep-alive\n\n")
                continue
            if is_close(item):
                break
            kind, data = item
            if kind == "email":  # the tab title shows the unread count
                data = {**data, "unread": await ctx.db.run(inbox_page.unread_count, organization_of(request))}
            await response.send(sse_message(kind, data))
    await response.eof()
    return response


# Bulk actions name their scope (see inbox_bulk): some ids (never an empty list), a search's
# matches, or all: true.
MARK_BODY = Obj({**inbox_bulk.SELECTION_FIELDS, "read": Bool(default=True)},
                extra_check=inbox_bulk.check_selection)
DELETE_BODY = Obj(inbox_bulk.SELECTION_FIELDS, extra_check=inbox_bulk.check_selection)
TAGS_BODY = Obj({**inbox_bulk.SELECTION_FIELDS,
                 "add": ListOf(inbox_tags.tag_field(), max_items=50),
                 "remove": ListOf(inbox_tags.tag_field(), max_items=50)},
                rules=(AnyOf("add", "remove", message="Give a tag to add or to remove."),),
                extra_check=inbox_bulk.check_selection)
RENAME_BODY = Obj({"from": inbox_tags.tag_field(required=True), "to": inbox_tags.tag_field(required=True)})
RELEASE_BODY = Obj({
    "ids": ListOf(Uuid(), min_items=1, max_items=bulk_release.MAX_RELEASE, required=True),
    "confirm_upstream": Str(required=True, min_length=1, max_length=1000,
                            description="The relay server the user confirmed."),
})


async def _unread(request: Request) -> int:
    return await db_run(request, inbox_page.unread_count, organization_of(request))


@bp.post("/ui/api/emails/read", name="mark_read")
async def mark_read(request: Request) -> HTTPResponse:
    body = MARK_BODY.validate(json_body(request))
    changed = await db_run(request, inbox_bulk.mark_read, organization_of(request),
                           inbox_bulk.Scope.of(body), body["read"], body.get("expected"))
    return json_response({"changed": changed, "unread": await _unread(request)})


@bp.post("/ui/api/emails/tags", name="change_tags")
async def change_tags(request: Request) -> HTTPResponse:
    body = TAGS_BODY.validate(json_body(request))
    changed = await db_run(request, inbox_bulk.change_tags, organization_of(request),
                           inbox_bulk.Scope.of(body), body.get("add") or [], body.get("remove") or [],
                           body.get("expected"))
    return json_response({"changed": changed, "unread": await _unread(request)})


@bp.post("/ui/api/tags/rename", name="rename_tag")
async def rename_tag(request: Request) -> HTTPResponse:
    body = RENAME_BODY.validate(json_body(request))
    changed = await db_run(request, inbox_tags.rename, organization_of(request), body["from"], body["to"])
    return json_response({"changed": changed})


@bp.post("/ui/api/emails/release", name="release_many")
async def release_many(request: Request) -> HTTPResponse:
    """Release the selected emails upstream; the confirmation named the server, and it must still be that one."""
    body = RELEASE_BODY.validate(json_body(request))
    result = await bulk_release.release_many(sandbox_of(request), organization_of(request),
                                             [str(i) for i in body["ids"]], body["confirm_upstream"])
    return json_response(result)


@bp.delete("/ui/api/emails/<email_id:uuid>", name="delete_one")
async def delete_one(request: Request, email_id: Any) -> HTTPResponse:
    org = organization_of(request)
    await db_run(request, inbox.delete_email, org, str(email_id))
    return json_response({"deleted": 1, "unread": await _unread(request)})


@bp.delete("/ui/api/emails", name="delete_many", ignore_body=False)
async def delete_many(request: Request) -> HTTPResponse:
    """Delete some emails (`ids`), a search's matches (`q`) or, asked for explicitly, the whole inbox (`all: true`)."""
    body = DELETE_BODY.validate(json_body(request))
    deleted = await db_run(request, inbox_bulk.delete, organization_of(request),
                           inbox_bulk.Scope.of(body), body.get("expected"))
    return json_response({"deleted": deleted, "unread": await _unread(request)})
