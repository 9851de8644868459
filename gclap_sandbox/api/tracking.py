"""The public tracking routes (no API key: they are opened from the email itself).

    GET  /t/open/{token}         the 1x1 pixel; records email.opened (user agent, IP)
    GET  /t/click/{token}        records email.clicked, then 302 to the original link
    GET  /t/unsubscribe/{token}  a confirmation page (link scanners fetch URLs, so no change)
    POST /t/unsubscribe/{token}  RFC 8058 one-click: records email.unsubscribed at once
"""
from __future__ import annotations

import base64
import html
from typing import Any

from sanic import Blueprint, Request
from sanic.response import HTTPResponse

from gclap_sandbox.api.routing import endpoint
from gclap_sandbox.errors import NotFound
from gclap_sandbox.pipeline import outcomes, tracking

bp = Blueprint("tracking", strict_slashes=False)
PIXEL = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")  # 1x1 transparent GIF
NO_STORE = {"Cache-Control": "no-store, max-age=0"}


def _client(request: Request) -> dict[str, Any]:
    return {"user_agent": request.headers.get("user-agent", ""), "ip": request.remote_addr or request.ip}


async def _record(request: Request, token: str, kind: str) -> Any:
    row = await request.app.ctx.sandbox.db.run(outcomes.record_tracked, token, kind, _client(request))
    if row is None:
        raise NotFound("Unknown or expired tracking link.")
    return row


@endpoint(bp, "GET", "/t/open/<token:str>", scope=None, authenticated=False, prefix="",
          summary="Open-tracking pixel", description="Records `email.opened`; answers a 1x1 GIF.",
          responses={200: {"description": "The pixel.", "content_type": "image/gif"}, 404: {}})
async def open_pixel(request: Request, token: str) -> HTTPResponse:
    await _record(request, token, tracking.OPEN)
    return HTTPResponse(PIXEL, content_type="image/gif", headers=NO_STORE)


@endpoint(bp, "GET", "/t/click/<token:str>", scope=None, authenticated=False, prefix="",
          summary="Click-tracking redirect", description="Records `email.clicked`; 302 to the original link.",
          responses={302: {"description": "Redirect to the original link."}, 404: {}})
async def click_redirect(request: Request, token: str) -> HTTPResponse:
    row = await _record(request, token, tracking.CLICK)
    return HTTPResponse(status=302, headers={"Location": row.url, **NO_STORE})


def _page(title: str, body: str) -> HTTPResponse:
    page = (f"<!doctype html><html lang=en><meta charset=utf-8><title>{html.escape(title)}</title>"
            '<meta name=viewport content="width=device-width">'
            "<body style=\"font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto\">"
            f"<h1>{html.escape(title)}</h1>{body}</body></html>")
    return HTTPResponse(page, content_type="text/html; charset=utf-8",
                        headers={**NO_STORE, "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'"})


@endpoint(bp, "GET", "/t/unsubscribe/<token:str>", scope=None, authenticated=False, prefix="",
          summary="Unsubscribe confirmation page", description="Shows a button; changes nothing by itself.",
          responses={200: {"description": "The page.", "content_type": "text/html"}, 404: {}})
async def unsubscribe_page(request: Request, token: str) -> HTTPResponse:
    row = await request.app.ctx.sandbox.db.run(outcomes.token_info, token, tracking.UNSUBSCRIBE)
    if row is None:
        raise NotFound("Unknown or expired unsubscribe link.")
    who = html.escape(row.recipient or "this address")
    return _page("Unsubscribe", f"<p>Stop sending email to <strong>{who}</strong>?</p>"
                 '<form method=post><input type=hidden name=List-Unsubscribe value=One-Click>'
                 "<button type=submit>Unsubscribe</button></form>")


@endpoint(bp, "POST", "/t/unsubscribe/<token:str>", scope=None, authenticated=False, prefix="",
          summary="One-click unsubscribe (RFC 8058)", description="Records `email.unsubscribed` at once.",
          responses={200: {"description": "Done.", "content_type": "text/html"}, 404: {}})
async def unsubscribe(request: Request, token: str) -> HTTPResponse:
    row = await _record(request, token, tracking.UNSUBSCRIBE)
    return _page("Unsubscribed", f"<p><strong>{html.escape(row.recipient or 'This address')}</strong> "
                 "will not receive this sender's email any more.</p>")
