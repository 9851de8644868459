"""The web UI's base: the blueprint, rendering, access control, and what pages declare.

A page module (inbox, email_page, contacts, ...) adds routes to `bp` with `@page(path)`,
returns `render(request, "name.html", ...)` (the template extends `base.html`), and declares
`NAV = NavItem(...)` for the navigation and `EMAIL_PANELS = (...)` for panels on the email
page. `ui/__init__.py` lists the page modules and collects those declarations.
"""
from __future__ import annotations

import functools
import time
from dataclasses import dataclass
from typing import Any, Awaitable, Callable, Iterable
from urllib.parse import urlencode

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, redirect
from sanic.response import html as html_response

from gclap_sandbox import clock
from gclap_sandbox.accounts import organizations_admin
from gclap_sandbox.errors import (
    ApiError,
    Forbidden,
    Unauthorized,
)
from gclap_sandbox.ui.auth import (
    COOKIE,
    SAFE_METHODS,
    UiGuard,
    origin_allowed,
)
from gclap_sandbox.ui.webroot import make_environment, static_version, web_root

bp = Blueprint("ui", strict_slashes=False)
bp.static("/static", str(web_root() / "static"), name="static")
templates = make_environment()

# A year: an asset asked for by its content hash (`static_url`) never changes under that URL.
IMMUTABLE = "public, max-age=31536000, immutable"


@bp.on_response
async def cache_versioned_assets(request: Request, response: HTTPResponse) -> None:
    """An asset fetched with its current `?v=` hash is cached for good, so a page load does not
    ask again for each script and style sheet; any other asset URL is checked on every use."""
    name = request.path.removeprefix("/static/")
    if name != request.path and response.status in (200, 304) and request.args.get("v") == _version_or_none(name):
        response.headers["Cache-Control"] = IMMUTABLE
        response.headers.pop("Expires", None)


def _version_or_none(name: str) -> str | None:
    try:
        return static_version(name)
    except (OSError, ValueError):  # no such asset (or a path the static handler refuses)
        return None


# --- what page modules declare: a navigation entry, panels on the email page -------------

@dataclass(frozen=True)
class NavItem:
    """A page in the top navigation (lower `order` comes first); a page module's `NAV`.

    Pages sharing a `group` take one place in the top bar (named after the group, leading to
    its first page) and are listed as tabs under it on each of their pages.
    """

    label: str
    path: str
    order: int
    group: str = ""

    def shows(self, path: str) -> bool:
        """Whether `path` is this page or one below it (the inbox also holds /emails/...)."""
        if self.path == "/":
            return path == "/" or path.startswith("/emails/")
        return path == self.path or path.startswith(self.path.rstrip("/") + "/")


@dataclass(frozen=True)
class NavEntry:
    """One place in the top bar: a page, or a group of pages shown as tabs."""

    label: str
    path: str
    pages: tuple[NavItem, ...]

    def shows(self, path: str) -> bool:
        return any(page.shows(path) for page in self.pages)


def nav_entries(items: Iterable[NavItem]) -> tuple[NavEntry, ...]:
    """The top bar from the pages' declarations: in order, each group where its first page is."""
    ordered = sorted(items, key=lambda item: item.order)
    entries: list[NavEntry] = []
    for item in ordered:
        if item.group and any(entry.label == item.group for entry in entries):
            continue
        members = tuple(i for i in ordered if i.group and i.group == item.group) if item.group else (item,)
        entries.append(NavEntry(item.group or item.label, item.path, members))
    return tuple(entries)


@dataclass(frozen=True)
class EmailPanel:
    """A panel in the email page's side column; a page module lists its own in `EMAIL_PANELS`."""

    template: str  # rendered with the loader's dict
    load: Callable[[str, str], dict[str, Any]]  # (organization id, email id) -> context; DB thread
    live: bool = False  # re-rendered while the page is open, whenever the email's events change


@dataclass(frozen=True)
class UiSite:
    """What the page modules declared, collected once by `ui.install(app)`."""

    nav: tuple[NavEntry, ...]
    email_panels: tuple[EmailPanel, ...]


# --- rendering and access ----------------------------------------------------------------

def sandbox_of(request: Request) -> Any:
    return request.app.ctx.sandbox


def site_of(request: Request) -> UiSite:
    return request.app.ctx.ui


def guard_of(request: Request) -> UiGuard:
    return sandbox_of(request).ui_guard


def session_id(request: Request) -> str | None:
    return request.cookies.get(COOKIE)


def organization_of(request: Request) -> str:
    """The organization this browser's pages show (chosen at sign-in; else the default one)."""
    return getattr(request.ctx, "organization_id", None) or sandbox_of(request).default_org_id


def render(request: Request, template: str, status: int = 200, **context: Any) -> HTTPResponse:
    guard = guard_of(request)
    started = time.perf_counter()
    body = templates.get_template(template).render(
        request_path=request.path,
        # Named in the top bar once there is more than one to choose from.
        organization_name=getattr(request.ctx, "organization_name", None),
        nav=site_of(request).nav,
        csrf_token=guard.csrf_token(session_id(request)),
        signed_in=guard.needs_login and guard.session_valid(session_id(request)),
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
    result = await sandbox_of(request).db.run(fn, *args)
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
    guard = guard_of(request)
    is_json = request.path.startswith("/ui/")
    if guard.locked:
        if is_json:
            raise Forbidden("The web UI is locked: start the sandbox with --ui-password.", slug="ui-locked")
        return render(request, "locked.html", status=403)
    session = session_id(request)
    if guard.needs_login and request.path != "/login" and not guard.session_valid(session):
        if is_json:
            raise Unauthorized("Sign in to the web UI first.", slug="ui-login-required")
        target = request.path + (f"?{request.query_string}" if request.query_string else "")
        return redirect(f"/login?{urlencode({'next': target})}", status=303)
    if request.method not in SAFE_METHODS:
        if not origin_allowed(request.headers.get("origin"), sandbox_of(request).hosts, request.headers.get("host")):
            raise Forbidden("Cross-site request refused.", slug="csrf-failed")
        given = request.headers.get("x-csrf-token") or (request.form.get("csrf_token") if request.form else None)
        if not guard.csrf_valid(session, given):
            raise Forbidden("Missing or wrong CSRF token; reload the page and try again.", slug="csrf-failed")
    ctx = sandbox_of(request)
    org_id, name, count = await ctx.db.run(organizations_admin.shown, guard.organization(session), ctx.default_org_id)
    request.ctx.organization_id = org_id
    clock.use_organization(org_id)  # the page reads its organization's time
    request.ctx.organization_name = name if count > 1 else None
    return None


@bp.before_server_start
async def start_ui(app: Any) -> None:
    ctx = app.ctx.sandbox
    ctx.ui_guard = UiGuard(ctx.settings)


@bp.before_server_stop
async def stop_ui(app: Any) -> None:
    if app.ctx.sandbox.live is not None:
        app.ctx.sandbox.live.close()
