"""The inbox page: the list with search and keyset paging, live rows, and bulk actions."""
from __future__ import annotations

import asyncio
from typing import Any

from sanic import Request
from sanic.response import HTTPResponse

from gclap_sandbox.api.responses import json_response
from gclap_sandbox.api.routing import json_body
from gclap_sandbox.inbox import bulk as inbox_bulk
from gclap_sandbox.inbox import listing as inbox_page
from gclap_sandbox.inbox import queries as inbox
from gclap_sandbox.inbox.search import parse_search
from gclap_sandbox.schema import Bool, ListOf, Obj, Uuid
from gclap_sandbox.ui.base import (
    NavItem,
    bp,
    db_run,
    page,
    render,
    sandbox_of,
    templates,
)
from gclap_sandbox.ui.email_checks import page_with_checks, rows_above_with_checks
from gclap_sandbox.ui.live import is_close, sse_message

HEARTBEAT_SECONDS = 15.0

NAV = NavItem("Inbox", "/", 10)


@page("/", name="inbox")
async def inbox_view(request: Request) -> HTTPResponse:
    text = request.args.get("q", "")
    search = parse_search(text)
    before = inbox_page.decode_cursor(request.args.get("before"), "before")
    after = inbox_page.decode_cursor(request.args.get("after"), "after")
    org = sandbox_of(request).default_org_id
    result = await db_run(request, page_with_checks, org, search, before, after)
    return render(request, "inbox.html", q=text, page=result, page_size=inbox_page.PAGE_SIZE)


@bp.get("/ui/api/emails/rows", name="rows_above")
async def rows_above(request: Request) -> HTTPResponse:
    """Rows newer than `above` that match `q`, as HTML (the live inbox inserts them)."""
    search = parse_search(request.args.get("q", ""))
    top = inbox_page.decode_cursor(request.args.get("above"), "above")
    new = await db_run(request, rows_above_with_checks, sandbox_of(request).default_org_id, search, top)
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
    with ctx.live.subscribe(ctx.default_org_id) as queue:
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
                data = {**data, "unread": await ctx.db.run(inbox_page.unread_count, ctx.default_org_id)}
            await response.send(sse_message(kind, data))
    await response.eof()
    return response


# Bulk actions name their scope (see inbox_bulk): some ids, a search's matches, or all: true.
MARK_BODY = Obj({
    "ids": ListOf(Uuid(), max_items=1000, description="Emails to change."),
    **inbox_bulk.SCOPE_FIELDS,
    "read": Bool(default=True),
}, extra_check=lambda data, errors: inbox_bulk.check_scope(data, errors, "ids"))
DELETE_BODY = Obj(inbox_bulk.SCOPE_FIELDS, extra_check=inbox_bulk.check_scope)


@bp.post("/ui/api/emails/read", name="mark_read")
async def mark_read(request: Request) -> HTTPResponse:
    body = MARK_BODY.validate(json_body(request))
    org = sandbox_of(request).default_org_id
    if body.get("ids") is not None:
        changed = await db_run(request, inbox_page.mark_read, org, [str(i) for i in body["ids"]], body["read"])
    else:
        changed = await db_run(request, inbox_bulk.mark_read, org, inbox_bulk.Scope.of(body), body["read"],
                               body.get("expected"))
    unread = await db_run(request, inbox_page.unread_count, org)
    return json_response({"changed": changed, "unread": unread})


@bp.delete("/ui/api/emails/<email_id:uuid>", name="delete_one")
async def delete_one(request: Request, email_id: Any) -> HTTPResponse:
    org = sandbox_of(request).default_org_id
    await db_run(request, inbox.delete_email, org, str(email_id))
    return json_response({"deleted": 1, "unread": await db_run(request, inbox_page.unread_count, org)})


@bp.delete("/ui/api/emails", name="delete_many", ignore_body=False)
async def delete_many(request: Request) -> HTTPResponse:
    """Delete a search's matches (`q`) or, asked for explicitly, the whole inbox (`all: true`)."""
    body = DELETE_BODY.validate(json_body(request))
    org = sandbox_of(request).default_org_id
    deleted = await db_run(request, inbox_bulk.delete, org, inbox_bulk.Scope.of(body), body.get("expected"))
    return json_response({"deleted": deleted, "unread": await db_run(request, inbox_page.unread_count, org)})
