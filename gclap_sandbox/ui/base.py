"""The inbox-preview web UI: server-rendered pages, their small JSON calls, live updates.

Adding a page is a template plus a route: decorate a handler with `@page(path)`, return
`render(request, "name.html", ...)` (the template extends `base.html`), and call
`nav_item(label, path)` to put it in the navigation. Extra panels on the email page
(events, tracking, ...) register with `email_panel(template, loader)`.
"""
from __future__ import annotations

import asyncio
import functools
import time
from dataclasses import dataclass
from typing import Any, Awaitable, Callable
from urllib.parse import unquote, urlencode

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, raw, redirect
from sanic.response import html as html_response

from gclap_sandbox.api.responses import json_response
from gclap_sandbox.api.routing import json_body
from gclap_sandbox.errors import (
    ApiError,
    Forbidden,
    NotFound,
    Unauthorized,
    ValidationFailed,
)
from gclap_sandbox.inbox import bulk as inbox_bulk
from gclap_sandbox.inbox import listing as inbox_page
from gclap_sandbox.inbox import queries as inbox
from gclap_sandbox.inbox.search import parse_search
from gclap_sandbox.mail.filenames import content_disposition, part_name
from gclap_sandbox.models import Attachment, EmailContent
from gclap_sandbox.pipeline import outgoing
from gclap_sandbox.schema import Bool, ListOf, Obj, Uuid
from gclap_sandbox.ui.auth import (
    COOKIE,
    SAFE_METHODS,
    UiGuard,
    attempt_sign_in,
    origin_allowed,
    safe_next,
)
from gclap_sandbox.ui.email_view import (
    EMAIL_CSP,
    FRAME_SANDBOX,
    cid_path,
    extract_links,
    frame_document,
)
from gclap_sandbox.ui.live import is_close, sse_message
from gclap_sandbox.ui.login_throttle import client_key
from gclap_sandbox.ui.webroot import make_environment, web_root

bp = Blueprint("ui", strict_slashes=False)
bp.static("/static", str(web_root() / "static"), name="static")
templates = make_environment()
SOURCE_PREVIEW_LIMIT = 512 * 1024  # bytes of source shown inline; the rest is a download
# What the email page calls a part sent without a name or description.
PART_LABELS = {"message/rfc822": "Attached message", "message/global": "Attached message",
               "message/delivery-status": "Delivery status", "message/global-delivery-status": "Delivery status",
               "text/rfc822-headers": "Message headers", "message/global-headers": "Message headers"}
HEARTBEAT_SECONDS = 15.0


# --- registries: navigation and email-page panels ----------------------------------------

@dataclass(frozen=True)
class NavItem:
    label: str
    path: str
    order: int


NAV: list[NavItem] = []


def nav_item(label: str, path: str, order: int = 50) -> None:
    """Show a page in the top navigation (lower `order` comes first)."""
    if all(item.path != path for item in NAV):
        NAV.append(NavItem(label, path, order))
        NAV.sort(key=lambda item: item.order)


@dataclass(frozen=True)
class EmailPanel:
    template: str  # rendered in the email page's side column with the loader's dict
    load: Callable[[str, str], dict[str, Any]]  # (organization id, email id) -> context; DB thread
    live: bool = False  # re-rendered while the page is open, whenever the email's events change


EMAIL_PANELS: list[EmailPanel] = []


def email_panel(template: str, load: Callable[[str, str], dict[str, Any]], live: bool = False) -> None:
    EMAIL_PANELS.append(EmailPanel(template, load, live))


# --- rendering and access ----------------------------------------------------------------

def _sandbox(request: Request) -> Any:
    return request.app.ctx.sandbox


def _guard(request: Request) -> UiGuard:
    return _sandbox(request).ui_guard


def _session_id(request: Request) -> str | None:
    return request.cookies.get(COOKIE)


def render(request: Request, template: str, status: int = 200, **context: Any) -> HTTPResponse:
    guard = _guard(request)
    started = time.perf_counter()
    body = templates.get_template(template).render(
        request_path=request.path,
        nav=NAV,
        csrf_token=guard.csrf_token(_session_id(request)),
        signed_in=guard.needs_login and guard.session_valid(_session_id(request)),
        **context,
    )
    timing = getattr(request.ctx, "server_timing", [])
    timing.append(f"render;dur={(time.perf_counter() - started) * 1000:.1f}")
    return html_response(body, status=status, headers={
        "Server-Timing": ", ".join(timing),
        "Cache-Control": "no-store",
        "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; frame-src 'self'; "
                                   "object-src 'none'; base-uri 'none'; form-action 'self'; "
                                   "frame-ancestors 'none'",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",
    })


async def db_run(request: Request, fn: Callable[..., Any], *args: Any) -> Any:
    """Run a unit of work on the DB thread, noting its time for the Server-Timing header."""
    started = time.perf_counter()
    result = await _sandbox(request).db.run(fn, *args)
    request.ctx.server_timing = getattr(request.ctx, "server_timing", [])
    request.ctx.server_timing.append(f"db;dur={(time.perf_counter() - started) * 1000:.1f}")
    return result


PageHandler = Callable[..., Awaitable[HTTPResponse]]


def page(path: str, **route_kw: Any) -> Callable[[PageHandler], PageHandler]:
    """A UI page: errors become an HTML error page instead of problem+json."""
    def decorate(handler: PageHandler) -> PageHandler:
        @functools.wraps(handler)
        async def wrapper(request: Request, *args: Any, **kwargs: Any) -> HTTPResponse:
            try:
                return await handler(request, *args, **kwargs)
            except ApiError as error:
                return render(request, "error.html", status=error.status, error=error)

        bp.add_route(wrapper, path, methods=route_kw.pop("methods", ["GET"]), **route_kw)
        return wrapper

    return decorate


@bp.on_request
async def guard_ui(request: Request) -> HTTPResponse | None:
    """Lock, login and CSRF checks for every UI route (static assets excepted)."""
    if request.path.startswith("/static/"):
        return None
    guard = _guard(request)
    is_json = request.path.startswith("/ui/")
    if guard.locked:
        if is_json:
            raise Forbidden("The web UI is locked: start the sandbox with --ui-password.", slug="ui-locked")
        return render(request, "locked.html", status=403)
    session = _session_id(request)
    if guard.needs_login and request.path != "/login" and not guard.session_valid(session):
        if is_json:
            raise Unauthorized("Sign in to the web UI first.", slug="ui-login-required")
        target = request.path + (f"?{request.query_string}" if request.query_string else "")
        return redirect(f"/login?{urlencode({'next': target})}", status=303)
    if request.method not in SAFE_METHODS:
        if not origin_allowed(request.headers.get("origin"), _sandbox(request).hosts, request.headers.get("host")):
            raise Forbidden("Cross-site request refused.", slug="csrf-failed")
        given = request.headers.get("x-csrf-token") or (request.form.get("csrf_token") if request.form else None)
        if not guard.csrf_valid(session, given):
            raise Forbidden("Missing or wrong CSRF token; reload the page and try again.", slug="csrf-failed")
    return None


@bp.before_server_start
async def start_ui(app: Any) -> None:
    ctx = app.ctx.sandbox
    ctx.ui_guard = UiGuard(ctx.settings)


@bp.before_server_stop
async def stop_ui(app: Any) -> None:
    if app.ctx.sandbox.live is not None:
        app.ctx.sandbox.live.close()


# --- sign-in -------------------------------------------------------------------------------

@page("/login", name="login_form")
async def login_form(request: Request) -> HTTPResponse:
    return render(request, "login.html", next=safe_next(request.args.get("next")), failed=False, wait=None)


@bp.post("/login", name="login")
async def login(request: Request) -> HTTPResponse:
    guard = _guard(request)
    target = safe_next(request.form.get("next"))
    outcome = attempt_sign_in(guard, _sandbox(request).login_throttle, client_key(request.ip),
                              request.form.get("password") or "")
    if not outcome.ok:
        response = render(request, "login.html", status=401 if outcome.wait is None else 429,
                          next=target, failed=outcome.wrong_password, wait=outcome.wait)
        if outcome.wait is not None:
            response.headers["Retry-After"] = str(outcome.wait)
        return response
    response = redirect(target, status=303)
    guard.end_session(_session_id(request))
    response.add_cookie(COOKIE, guard.start_session(), httponly=True, samesite="Strict",
                        secure=request.scheme == "https", path="/")
    return response


@bp.post("/logout", name="logout")
async def logout(request: Request) -> HTTPResponse:
    _guard(request).end_session(_session_id(request))
    response = redirect("/login", status=303)
    response.delete_cookie(COOKIE, path="/")
    return response


# --- inbox ---------------------------------------------------------------------------------

nav_item("Inbox", "/", order=10)


@page("/", name="inbox")
async def inbox_view(request: Request) -> HTTPResponse:
    text = request.args.get("q", "")
    search = parse_search(text)
    before = inbox_page.decode_cursor(request.args.get("before"), "before")
    after = inbox_page.decode_cursor(request.args.get("after"), "after")
    org = _sandbox(request).default_org_id
    result = await db_run(request, inbox_page.inbox_page, org, search, before, after)
    return render(request, "inbox.html", q=text, page=result, page_size=inbox_page.PAGE_SIZE)


@bp.get("/ui/api/emails/rows", name="rows_above")
async def rows_above(request: Request) -> HTTPResponse:
    """Rows newer than `above` that match `q`, as HTML (the live inbox inserts them)."""
    search = parse_search(request.args.get("q", ""))
    top = inbox_page.decode_cursor(request.args.get("above"), "above")
    new = await db_run(request, inbox_page.rows_above, _sandbox(request).default_org_id, search, top)
    fragment = templates.get_template("_rows.html").render(rows=new.rows)
    return json_response({"html": fragment, "count": len(new.rows), "total": new.total, "unread": new.unread,
                          "unread_matches": new.unread_matches,
                          "top": new.rows[0]["cursor"] if new.rows else request.args.get("above")})


@bp.get("/ui/events", name="events")
async def live_events(request: Request) -> HTTPResponse:
    """Server-sent events: `email` when mail arrives (more kinds as areas publish them)."""
    ctx = _sandbox(request)
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
    org = _sandbox(request).default_org_id
    if body.get("ids") is not None:
        changed = await db_run(request, inbox_page.mark_read, org, [str(i) for i in body["ids"]], body["read"])
    else:
        changed = await db_run(request, inbox_bulk.mark_read, org, inbox_bulk.Scope.of(body), body["read"],
                               body.get("expected"))
    unread = await db_run(request, inbox_page.unread_count, org)
    return json_response({"changed": changed, "unread": unread})


@bp.delete("/ui/api/emails/<email_id:uuid>", name="delete_one")
async def delete_one(request: Request, email_id: Any) -> HTTPResponse:
    org = _sandbox(request).default_org_id
    await db_run(request, inbox.delete_email, org, str(email_id))
    return json_response({"deleted": 1, "unread": await db_run(request, inbox_page.unread_count, org)})


@bp.delete("/ui/api/emails", name="delete_many", ignore_body=False)
async def delete_many(request: Request) -> HTTPResponse:
    """Delete a search's matches (`q`) or, asked for explicitly, the whole inbox (`all: true`)."""
    body = DELETE_BODY.validate(json_body(request))
    org = _sandbox(request).default_org_id
    deleted = await db_run(request, inbox_bulk.delete, org, inbox_bulk.Scope.of(body), body.get("expected"))
    return json_response({"deleted": deleted, "unread": await db_run(request, inbox_page.unread_count, org)})


# --- one email -----------------------------------------------------------------------------

def _source_view(source: bytes) -> dict[str, Any]:
    return {"text": source[:SOURCE_PREVIEW_LIMIT].decode("utf-8", "replace"),
            "truncated": len(source) > SOURCE_PREVIEW_LIMIT}


def _email_page_data(org: str, email_id: str) -> dict[str, Any]:
    email = inbox.get_email(org, email_id)
    was_unread = not email.is_read
    if was_unread:
        inbox_page.mark_read(org, [email_id])
    data = inbox.detail(org, email_id, "")
    newer, older = inbox_page.neighbours(org, email)
    content = EmailContent.get(EmailContent.email == email_id)
    received, delivered = bytes(content.raw), outgoing.delivered_version(email, content)
    panels = [(panel.template, panel.load(org, email_id)) for panel in EMAIL_PANELS]
    for part in data["attachments"]:
        part["label"] = part["filename"] or part["description"] or PART_LABELS.get(part["content_type"], "attachment")
    return {
        "email": data,
        "newer": newer,
        "older": older,
        "links": extract_links(data["html"], data["text"]),
        # The source as received, and what delivery changed (None when nothing).
        "source": _source_view(received),
        "delivered_source": None if delivered == received else _source_view(delivered),
        "message_parts": [a for a in data["attachments"] if a["headers"] is not None
                          or a["delivery_status"] is not None],
        "panels": panels,
        "unread": inbox_page.unread_count(org),
    }


@page("/emails/<email_id:uuid>", name="email")
async def email_view(request: Request, email_id: Any) -> HTTPResponse:
    data = await db_run(request, _email_page_data, _sandbox(request).default_org_id, str(email_id))
    return render(request, "email.html", frame_sandbox=FRAME_SANDBOX,
                  relay_configured=_sandbox(request).relay is not None, **data)


def _recipients_panel(org: str, email_id: str) -> dict[str, Any]:
    return {"recipients": inbox.detail(org, email_id, "")["recipients"]}


email_panel("panels/recipients.html", _recipients_panel, live=True)


def _email_headers() -> dict[str, str]:
    return {"Content-Security-Policy": EMAIL_CSP, "X-Content-Type-Options": "nosniff",
            "Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}


def _html_body(org: str, email_id: str) -> str:
    inbox.get_email(org, email_id)
    content = EmailContent.get(EmailContent.email == email_id)
    return content.html or ""


@bp.get("/ui/emails/<email_id:uuid>/html", name="email_html")
async def email_html(request: Request, email_id: Any) -> HTTPResponse:
    """The email's HTML for the sandboxed frame, under a CSP that forbids every script."""
    body = await db_run(request, _html_body, _sandbox(request).default_org_id, str(email_id))
    document = frame_document(body, lambda cid: cid_path(str(email_id), cid))
    return html_response(document, headers=_email_headers())


def _inline_part(org: str, email_id: str, content_id: str) -> tuple[Attachment, bytes]:
    inbox.get_email(org, email_id)
    attachment = (Attachment.select().where((Attachment.email == email_id)
                                            & (Attachment.content_id == content_id)).first())
    if attachment is None:
        raise NotFound(f"Email {email_id} has no inline part <{content_id}>.")
    return inbox.attachment_content(org, email_id, attachment.id)


@bp.get("/ui/emails/<email_id:uuid>/cid/<content_id:path>", name="email_cid")
async def email_cid(request: Request, email_id: Any, content_id: str) -> HTTPResponse:
    attachment, content = await db_run(request, _inline_part, _sandbox(request).default_org_id,
                                       str(email_id), unquote(content_id).strip("<>"))
    return raw(content, content_type=attachment.content_type, headers=_email_headers())


@bp.get("/ui/emails/<email_id:uuid>/attachments/<attachment_id:uuid>", name="email_attachment")
async def email_attachment(request: Request, email_id: Any, attachment_id: Any) -> HTTPResponse:
    attachment, content = await db_run(request, inbox.attachment_content, _sandbox(request).default_org_id,
                                       str(email_id), str(attachment_id))
    name = part_name(attachment.filename, attachment.content_type, attachment.position)
    return raw(content, content_type=attachment.content_type, headers={
        **_email_headers(), "Content-Disposition": content_disposition(name)})


@bp.get("/ui/emails/<email_id:uuid>/raw", name="email_raw")
async def email_raw(request: Request, email_id: Any) -> HTTPResponse:
    """The source as received, or with `?version=delivered` as a recipient would get it."""
    version = request.args.get("version", outgoing.RECEIVED)
    if version not in outgoing.VERSIONS:
        raise ValidationFailed({"version": [f"Must be one of: {', '.join(outgoing.VERSIONS)}."]})
    source = await db_run(request, inbox.raw_source, _sandbox(request).default_org_id, str(email_id), version)
    suffix = "" if version == outgoing.RECEIVED else f"-{version}"
    return raw(source, content_type="message/rfc822", headers={
        **_email_headers(), "Content-Disposition": content_disposition(f"{email_id}{suffix}.eml")})


# Pages and panels of other areas register themselves on this blueprint when imported.
from gclap_sandbox.ui import (  # noqa: E402,F401
    contacts,
    delivery,
    docs,
    keys,
    template_editor,
    webhooks,
)
