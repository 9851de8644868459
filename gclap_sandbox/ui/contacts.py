"""The contacts pages: a searchable, filterable, paged list, one contact with its email and
events, and a form to create or edit one (fields, lists, custom fields, status). Reads use the
same queries as `/api/v1/contacts/`; writes the same validation and units of work (DB thread)."""
from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from sanic import Request
from sanic.response import HTTPResponse

from gclap_sandbox import clock
from gclap_sandbox.contacts import lists as contact_lists
from gclap_sandbox.contacts import store as contacts
from gclap_sandbox.contacts.fields import CREATE_BODY, SETTABLE_STATUSES, UPDATE_BODY
from gclap_sandbox.http_json import json_body, json_response
from gclap_sandbox.models.contacts import CONTACT_STATUSES
from gclap_sandbox.schema import Int, Obj, Str, Uuid
from gclap_sandbox.ui.base import NavItem, bp, db_run, organization_of, page, render

PAGE_SIZE = 50
DETAIL_ROWS = 50  # newest email and events shown on a contact's page
FILTERS = Obj({
    "q": Str(max_length=320),
    "list": Uuid(),
    "status": Str(choices=list(CONTACT_STATUSES)),
    "page": Int(minimum=1, maximum=1_000_000, from_string=True),
})

NAV = NavItem("Contacts", "/contacts", 30)


def _org(request: Request) -> str:
    return organization_of(request)


def contacts_page(organization_id: str, filters: dict[str, Any]) -> dict[str, Any]:
    number = filters.get("page") or 1
    query = contacts.filtered(organization_id, {"search": filters.get("q"), "list": filters.get("list"),
                                                "status": filters.get("status")})
    total = query.count()
    rows = list(contacts.newest_first(query).offset((number - 1) * PAGE_SIZE).limit(PAGE_SIZE))
    return {"contacts": contacts.dicts_for(rows), "total": total, "page_number": number,
            "first": (number - 1) * PAGE_SIZE + 1, "has_next": number * PAGE_SIZE < total,
            "lists": contact_lists.names_by_id(organization_id)}


def _link(filters: dict[str, Any], number: int) -> str:
    kept = {k: v for k, v in filters.items() if k != "page" and v}
    return "/contacts?" + urlencode({**kept, "page": number})


@page("/contacts", name="contacts")
async def contacts_view(request: Request) -> HTTPResponse:
    given = {name: values[0] for name, values in request.args.items() if values and values[0] != ""}
    filters = FILTERS.validate(given)
    data = await db_run(request, contacts_page, _org(request), filters)
    pages = {"previous": _link(given, data["page_number"] - 1) if data["page_number"] > 1 else None,
             "next": _link(given, data["page_number"] + 1) if data["has_next"] else None}
    return render(request, "contacts.html", filters={name: str(filters.get(name) or "") for name in FILTERS.fields},
                  statuses=CONTACT_STATUSES, pages=pages, **data)


def contact_page(organization_id: str, contact_id: str) -> dict[str, Any]:
    contact = contacts.detail(organization_id, contact_id)
    email_count, emails = contacts.contact_emails(organization_id, contact_id, 0, DETAIL_ROWS)
    event_count, event_rows = contacts.recent_events(organization_id, contact["email"], DETAIL_ROWS)
    return {"contact": contact, "emails": emails, "email_count": email_count, "events": event_rows,
            "event_count": event_count, "lists": contact_lists.names_by_id(organization_id), "now": clock.iso(clock.now())}


@page("/contacts/<contact_id:uuid>", name="contact")
async def contact_view(request: Request, contact_id: Any) -> HTTPResponse:
    data = await db_run(request, contact_page, _org(request), str(contact_id))
    return render(request, "contact.html", **data)


def _form_page(organization_id: str, contact_id: str | None) -> dict[str, Any]:
    contact = contacts.detail(organization_id, contact_id) if contact_id else None
    return {"contact": contact, "lists": contact_lists.names_by_id(organization_id)}


def _attribute_kind(value: Any) -> str:
    """How the form shows a custom field's value: as text, a number, yes/no, or JSON."""
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    return "text" if isinstance(value, str) else "json"


@page("/contacts/new", name="contact_new")
async def new_contact_view(request: Request) -> HTTPResponse:
    data = await db_run(request, _form_page, _org(request), None)
    return render(request, "contact_form.html", statuses=SETTABLE_STATUSES, attribute_kind=_attribute_kind, **data)


@page("/contacts/<contact_id:uuid>/edit", name="contact_edit")
async def edit_contact_view(request: Request, contact_id: Any) -> HTTPResponse:
    data = await db_run(request, _form_page, _org(request), str(contact_id))
    return render(request, "contact_form.html", statuses=SETTABLE_STATUSES, attribute_kind=_attribute_kind, **data)


@bp.post("/ui/api/contacts", name="contact_create")
async def create_contact(request: Request) -> HTTPResponse:
    body = CREATE_BODY.validate(json_body(request))
    created = await db_run(request, contacts.create_contact, _org(request), body)
    return json_response({"id": created["id"], "url": f"/contacts/{created['id']}"}, status=201)


@bp.patch("/ui/api/contacts/<contact_id:uuid>", name="contact_update")
async def update_contact(request: Request, contact_id: Any) -> HTTPResponse:
    body = UPDATE_BODY.validate(json_body(request))
    changed = await db_run(request, contacts.update_contact, _org(request), str(contact_id), body)
    return json_response({"id": changed["id"], "url": f"/contacts/{changed['id']}"})
