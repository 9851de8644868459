"""/api/v1/contacts/: list, create, read, change and delete contacts; their email and events."""
from __future__ import annotations

from typing import Any

from sanic import Blueprint, Request
from sanic.response import HTTPResponse

from gclap_sandbox.api.emails import EMAIL_SUMMARY
from gclap_sandbox.api.events import EVENT_SCHEMA
from gclap_sandbox.api.pagination import (
    PAGE_FIELDS,
    envelope,
    envelope_schema,
    offset_limit,
)
from gclap_sandbox.api.responses import json_response
from gclap_sandbox.api.routing import API_PREFIX, endpoint
from gclap_sandbox.contacts import store as contacts
from gclap_sandbox.contacts.fields import CREATE_BODY, UPDATE_BODY
from gclap_sandbox.models.contacts import CONTACT_STATUSES
from gclap_sandbox.schema import Obj, Str, Uuid

bp = Blueprint("contacts", url_prefix=API_PREFIX, strict_slashes=False)

CONTACT: dict[str, Any] = {
    "type": "object",
    "properties": {
        "id": {"type": "string", "format": "uuid"},
        "email": {"type": "string", "format": "email"},
        "first_name": {"type": "string"},
        "last_name": {"type": "string"},
        "attributes": {"type": "object"},
        "status": {"type": "string", "enum": list(CONTACT_STATUSES)},
        "lists": {"type": "array", "items": {"type": "string", "format": "uuid"}},
        "last_opened_at": {"type": ["string", "null"], "format": "date-time"},
        "last_clicked_at": {"type": ["string", "null"], "format": "date-time"},
        "created_at": {"type": "string", "format": "date-time"},
        "updated_at": {"type": "string", "format": "date-time"},
    },
}
EVENT = EVENT_SCHEMA  # the events API's own schema


LIST_QUERY = Obj({
    **PAGE_FIELDS,
    "search": Str(max_length=320, description="Matches email, first or last name (case-insensitive, partial)."),
    "list": Uuid(description="Only members of this list."),
    "status": Str(choices=list(CONTACT_STATUSES)),
    "segment": Uuid(description="Only contacts matching this segment's rules."),
})
PAGE_QUERY = Obj(dict(PAGE_FIELDS))
CONTACT_PATH = "/contacts/<contact_id:uuid>/"
DUPLICATE = {"description": "A contact with this email exists; `existing_id` and `existing_url` point at it."}


def _org(request: Request) -> str:
    return request.ctx.principal.organization_id


@endpoint(bp, "GET", "/contacts/", scope="contacts:read", summary="List contacts",
          description="Newest first.", query=LIST_QUERY,
          responses={200: {"description": "A page of contacts.", "schema": envelope_schema(CONTACT)},
                     404: {"description": "`segment` names no segment (`unknown-reference`)."}})
async def list_contacts(request: Request) -> HTTPResponse:
    offset, limit = offset_limit(request.ctx.query)
    count, rows = await request.app.ctx.sandbox.db.run(contacts.list_contacts, _org(request),
                                                       request.ctx.query, offset, limit)
    return json_response(envelope(request, count, rows))


@endpoint(bp, "POST", "/contacts/", scope="contacts:write", summary="Create a contact", body=CREATE_BODY,
          responses={201: {"description": "Created.", "schema": CONTACT}, 409: DUPLICATE,
                     404: {"description": "An id in `lists` names no list (`unknown-reference`)."}})
async def create_contact(request: Request) -> HTTPResponse:
    data = await request.app.ctx.sandbox.db.run(contacts.create_contact, _org(request), request.ctx.body)
    return json_response(data, status=201)


@endpoint(bp, "GET", CONTACT_PATH, scope="contacts:read", summary="Get a contact",
          responses={200: {"description": "The contact.", "schema": CONTACT}, 404: {}})
async def get_contact(request: Request, contact_id: Any) -> HTTPResponse:
    return json_response(await request.app.ctx.sandbox.db.run(contacts.detail, _org(request), str(contact_id)))


@endpoint(bp, "PATCH", CONTACT_PATH, scope="contacts:write", summary="Change a contact", body=UPDATE_BODY,
          responses={200: {"description": "The changed contact.", "schema": CONTACT}, 409: DUPLICATE,
                     404: {"description": "No such contact, or an id in `lists` names no list "
                                          "(`unknown-reference`)."}})
async def update_contact(request: Request, contact_id: Any) -> HTTPResponse:
    data = await request.app.ctx.sandbox.db.run(contacts.update_contact, _org(request), str(contact_id),
                                                request.ctx.body)
    return json_response(data)


@endpoint(bp, "DELETE", CONTACT_PATH, scope="contacts:write", summary="Delete a contact",
          responses={204: {"description": "Deleted."}, 404: {}})
async def delete_contact(request: Request, contact_id: Any) -> HTTPResponse:
    await request.app.ctx.sandbox.db.run(contacts.delete_contact, _org(request), str(contact_id))
    return HTTPResponse(status=204)


@endpoint(bp, "GET", CONTACT_PATH + "emails/", scope="contacts:read", query=PAGE_QUERY,
          summary="Email sent to a contact", description="Captured email with the contact's address "
                                                          "among its recipients, newest first.",
          responses={200: {"description": "A page of email.", "schema": envelope_schema(EMAIL_SUMMARY)}, 404: {}})
async def contact_emails(request: Request, contact_id: Any) -> HTTPResponse:
    offset, limit = offset_limit(request.ctx.query)
    count, rows = await request.app.ctx.sandbox.db.run(contacts.contact_emails, _org(request),
                                                       str(contact_id), offset, limit)
    return json_response(envelope(request, count, rows))


@endpoint(bp, "GET", CONTACT_PATH + "events/", scope="contacts:read", query=PAGE_QUERY,
          summary="Lifecycle events of email sent to a contact",
          responses={200: {"description": "A page of events.", "schema": envelope_schema(EVENT_SCHEMA)}, 404: {}})
async def contact_events(request: Request, contact_id: Any) -> HTTPResponse:
    offset, limit = offset_limit(request.ctx.query)
    count, rows = await request.app.ctx.sandbox.db.run(contacts.contact_events, _org(request),
                                                       str(contact_id), offset, limit)
    return json_response(envelope(request, count, rows))
