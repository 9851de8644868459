"""/api/v1/templates/: Jinja2 email templates and their previews."""
from __future__ import annotations

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
from gclap_sandbox.schema import MapOf, Obj, Uuid
from gclap_sandbox.templating import store as template_store
from gclap_sandbox.templating.schemas import CREATE_BODY, UPDATE_BODY

bp = Blueprint("templates", url_prefix=API_PREFIX, strict_slashes=False)

TEMPLATE: dict[str, Any] = {"type": "object", "properties": {
    "id": {"type": "string", "format": "uuid"}, "name": {"type": "string"}, "subject": {"type": "string"},
    "html": {"type": ["string", "null"]}, "text": {"type": ["string", "null"]},
    "created_at": {"type": "string", "format": "date-time"},
    "updated_at": {"type": "string", "format": "date-time"}}}
RENDERED: dict[str, Any] = {"type": "object", "properties": {
    "subject": {"type": "string"}, "html": {"type": ["string", "null"]}, "text": {"type": ["string", "null"]}}}


RENDER_BODY = Obj({
    "variables": MapOf(max_items=200, default=dict, description="Values the template uses."),
    "contact_id": Uuid(description="Preview as sent to this contact (available as `contact`)."),
})
PAGE_QUERY = Obj(dict(PAGE_FIELDS))
TEMPLATE_PATH = "/templates/<template_id:uuid>/"
_SYNTAX = ("Syntax errors are refused with a 400 naming the part, its line and the message; so is a "
           "template that goes over a rendering limit by itself (`template-too-expensive`, see `limit`).")
_BUDGET = ("Each part renders within limits (output size, loop iterations, time); going over one is a 400 "
           "`template-too-expensive` whose `limit` names it.")


def _org(request: Request) -> str:
    return request.ctx.principal.organization_id


@endpoint(bp, "GET", "/templates/", scope="templates:read", summary="List templates", query=PAGE_QUERY,
          responses={200: {"description": "A page of templates.", "schema": envelope_schema(TEMPLATE)}})
async def list_templates(request: Request) -> HTTPResponse:
    offset, limit = offset_limit(request.ctx.query)
    count, rows = await request.app.ctx.sandbox.db.run(template_store.list_templates, _org(request),
                                                       offset, limit)
    return json_response(envelope(request, count, rows))


@endpoint(bp, "POST", "/templates/", scope="templates:write", summary="Create a template",
          description=_SYNTAX, body=CREATE_BODY, responses={201: {"description": "Created.", "schema": TEMPLATE}})
async def create_template(request: Request) -> HTTPResponse:
    data = await template_store.create(request.app.ctx.sandbox, _org(request), request.ctx.body)
    return json_response(data, status=201)


@endpoint(bp, "GET", TEMPLATE_PATH, scope="templates:read", summary="Get a template",
          responses={200: {"description": "The template.", "schema": TEMPLATE}, 404: {}})
async def get_template(request: Request, template_id: Any) -> HTTPResponse:
    return json_response(await request.app.ctx.sandbox.db.run(template_store.detail, _org(request),
                                                              str(template_id)))


@endpoint(bp, "PATCH", TEMPLATE_PATH, scope="templates:write", summary="Change a template",
          description=_SYNTAX, body=UPDATE_BODY,
          responses={200: {"description": "The changed template.", "schema": TEMPLATE}, 404: {}})
async def update_template(request: Request, template_id: Any) -> HTTPResponse:
    data = await template_store.update(request.app.ctx.sandbox, _org(request), str(template_id),
                                       request.ctx.body)
    return json_response(data)


@endpoint(bp, "DELETE", TEMPLATE_PATH, scope="templates:write", summary="Delete a template",
          responses={204: {"description": "Deleted."}, 404: {}})
async def delete_template(request: Request, template_id: Any) -> HTTPResponse:
    await request.app.ctx.sandbox.db.run(template_store.delete_template, _org(request), str(template_id))
    return HTTPResponse(status=204)


@endpoint(bp, "POST", TEMPLATE_PATH + "render/", scope="templates:read", summary="Preview a template",
          description="Renders subject, html and text with the given variables. A variable the template "
                      "uses but the request lacks is a 400 naming it. " + _BUDGET,
          body=RENDER_BODY, responses={200: {"description": "The rendered parts.", "schema": RENDERED},
                                       404: {"description": "No such template, or `contact_id` names no contact "
                                                            "(`unknown-reference`)."}})
async def render_template(request: Request, template_id: Any) -> HTTPResponse:
    body = request.ctx.body
    data = await template_store.preview(request.app.ctx.sandbox, _org(request), str(template_id),
                                        body["variables"], body.get("contact_id"))
    return json_response(data)
