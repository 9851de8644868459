"""The templates pages: the list, and an editor whose live preview renders the unsaved
source through the same sandboxed renderer as `POST /api/v1/templates/{id}/render/`.

A preview's problems (syntax, a variable not given, something the sandbox forbids, a
rendering limit) are the normal state of a template being typed, so the preview call
answers them as data with their line numbers; only a malformed call is a 400. Like every
render, previews run on the render threads, never on the event loop.
"""
from __future__ import annotations

import re
import secrets
from collections import OrderedDict
from typing import Any

from sanic import Request
from sanic.response import HTTPResponse
from sanic.response import html as html_response

from gclap_sandbox.errors import NotFound, ValidationFailed
from gclap_sandbox.http_json import json_body, json_response
from gclap_sandbox.schema import MapOf, Obj, Str
from gclap_sandbox.templating import store as template_store
from gclap_sandbox.templating.render import (
    render_email,
    sample_variables,
    syntax_errors,
)
from gclap_sandbox.templating.renderer import RenderThreads
from gclap_sandbox.templating.schemas import CREATE_BODY, MAX_SOURCE, UPDATE_BODY
from gclap_sandbox.ui.base import NavItem, bp, db_run, organization_of, page, render
from gclap_sandbox.ui.email_view import EMAIL_CSP

LIST_LIMIT = 500
PREVIEWS_KEPT = 64  # rendered previews kept for their frames to load, newest last
PREVIEW_BODY = Obj({
    "subject": Str(max_length=998, default=""),
    "html": Str(max_length=MAX_SOURCE, nullable=True),
    "text": Str(max_length=MAX_SOURCE, nullable=True),
    "variables": MapOf(max_items=200, default=dict),
})
_MISSING = re.compile(r"^variables\.(.+)$")

NAV = NavItem("Templates", "/templates", 40)


def _org(request: Request) -> str:
    return organization_of(request)


def _previews(request: Request) -> OrderedDict[str, str]:
    if not hasattr(request.app.ctx, "template_previews"):
        request.app.ctx.template_previews = OrderedDict()
    return request.app.ctx.template_previews


def _line_of(name: str, parts: dict[str, str | None]) -> str:
    """`html line 3` where `name` is first used, for errors that carry no line of their own."""
    pattern = re.compile(rf"\b{re.escape(name.split('.')[0])}\b")
    for part, source in parts.items():
        for number, line in enumerate((source or "").splitlines(), 1):
            if pattern.search(line) and ("{{" in line or "{%" in line):
                return f"{part} line {number}"
    return "template"


def preview_problems(parts: dict[str, str | None], variables: dict[str, Any]
                     ) -> tuple[dict[str, str | None] | None, list[str]]:
    """(rendered parts, []) or (None, every problem as `part line N: message`)."""
    problems = [f"{part} {message[0].lower()}{message[1:]}" for part, source in parts.items()
                if source is not None for message in syntax_errors(source)]
    if problems:
        return None, problems
    try:
        return render_email(parts, variables), []
    except ValidationFailed as error:
        for field, messages in error.errors.items():
            missing = _MISSING.match(field)
            where = _line_of(missing.group(1), parts) if missing else field
            problems.extend(f"{where}: {message}" for message in messages)
        return None, problems


def _list(organization_id: str) -> tuple[int, list[dict[str, Any]]]:
    return template_store.list_templates(organization_id, 0, LIST_LIMIT)


@page("/templates", name="templates")
async def templates_view(request: Request) -> HTTPResponse:
    total, rows = await db_run(request, _list, _org(request))
    return render(request, "templates.html", templates=rows, total=total)


async def _editor(request: Request, template: dict[str, Any] | None) -> dict[str, Any]:
    parts = {name: (template or {}).get(name) for name in template_store.PARTS}
    return {"current": template, "samples": await _renderer(request).run(sample_variables, parts)}


def _renderer(request: Request) -> RenderThreads:
    return request.app.ctx.sandbox.renderer


@page("/templates/new", name="template_new")
async def template_new(request: Request) -> HTTPResponse:
    return render(request, "template.html", **await _editor(request, None))


@page("/templates/<template_id:uuid>", name="template")
async def template_view(request: Request, template_id: Any) -> HTTPResponse:
    template = await db_run(request, template_store.detail, _org(request), str(template_id))
    return render(request, "template.html", **await _editor(request, template))


@bp.post("/ui/api/templates/preview", name="template_preview")
async def template_preview(request: Request) -> HTTPResponse:
    body = PREVIEW_BODY.validate(json_body(request))
    parts = {"subject": body["subject"], "html": body.get("html"), "text": body.get("text")}
    rendered, problems = await _renderer(request).run(preview_problems, parts, body["variables"])
    if rendered is None:
        return json_response({"ok": False, "errors": problems})
    html_url = None
    if rendered["html"] is not None:
        store = _previews(request)
        token = secrets.token_urlsafe(16)
        store[token] = rendered["html"]
        while len(store) > PREVIEWS_KEPT:
            store.popitem(last=False)
        html_url = f"/ui/templates/preview/{token}"
    return json_response({"ok": True, "errors": [], "subject": rendered["subject"], "text": rendered["text"],
                          "html_url": html_url})


@bp.get("/ui/templates/preview/<token:str>", name="template_preview_html")
async def template_preview_html(request: Request, token: str) -> HTTPResponse:
    """A rendered preview for the editor's sandboxed frame, under the captured-email CSP."""
    body = _previews(request).get(token)
    if body is None:
        raise NotFound("That preview is gone; edit the template to render it again.")
    return html_response(body, headers={"Content-Security-Policy": EMAIL_CSP, "X-Content-Type-Options": "nosniff",
                                        "Cache-Control": "no-store", "Referrer-Policy": "no-referrer"})


@bp.post("/ui/api/templates", name="template_create")
async def template_create(request: Request) -> HTTPResponse:
    body = CREATE_BODY.validate(json_body(request))
    return json_response(await template_store.create(request.app.ctx.sandbox, _org(request), body), status=201)


@bp.patch("/ui/api/templates/<template_id:uuid>", name="template_update")
async def template_update(request: Request, template_id: Any) -> HTTPResponse:
    body = UPDATE_BODY.validate(json_body(request))
    return json_response(await template_store.update(request.app.ctx.sandbox, _org(request), str(template_id),
                                                     body))


@bp.delete("/ui/api/templates/<template_id:uuid>", name="template_delete")
async def template_delete(request: Request, template_id: Any) -> HTTPResponse:
    await db_run(request, template_store.delete_template, _org(request), str(template_id))
    return json_response({"deleted": 1})
