"""Email templates: CRUD, previews, and filling a send request from a template.

The plain functions run on the database thread. The `async` ones are what routes call:
they check and render on the render threads (`ctx.renderer`) and store or read on the
database thread, so neither a slow template nor the database holds up the other.
"""
from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

from gclap_sandbox import clock
from gclap_sandbox.contacts.store import normalize_email
from gclap_sandbox.errors import NotFound
from gclap_sandbox.mail import message as mail
from gclap_sandbox.models import Contact, Template
from gclap_sandbox.state_errors import unknown_reference
from gclap_sandbox.storage.database import owned
from gclap_sandbox.templating.render import (
    PARTS,
    body_errors,
    check_sources,
    invalid,
    render_email,
)

if TYPE_CHECKING:
    from gclap_sandbox.server.context import AppContext


def template_dict(template: Template) -> dict[str, Any]:
    return {
        "id": template.id,
        "name": template.name,
        "subject": template.subject,
        "html": template.html,
        "text": template.text,
        "created_at": clock.iso(template.created_at),
        "updated_at": clock.iso(template.updated_at),
    }


def get_template(organization_id: str, template_id: str, field: str | None = None) -> Template:
    try:
        return owned(Template, organization_id, template_id, f"No template with id {template_id}.")
    except NotFound:
        if field:  # a reference inside another request: that request's field is what is bad
            raise unknown_reference({field: [f"No template with id {template_id}."]}) from None
        raise


def list_templates(organization_id: str, offset: int, limit: int) -> tuple[int, list[dict[str, Any]]]:
    query = Template.select().where(Template.organization == organization_id)
    rows = query.order_by(Template.created_at.desc(), Template.id).offset(offset).limit(limit)
    return query.count(), [template_dict(row) for row in rows]


def detail(organization_id: str, template_id: str) -> dict[str, Any]:
    return template_dict(get_template(organization_id, template_id))


def _parts(template: Template) -> dict[str, str | None]:
    return {name: getattr(template, name) for name in PARTS}


def _given_parts(data: dict[str, Any]) -> dict[str, str | None]:
    return {name: data[name] for name in PARTS if name in data}


async def create(ctx: AppContext, organization_id: str, data: dict[str, Any]) -> dict[str, Any]:
    """Check the parts (syntax, and the render budget by themselves), then store the template."""
    await ctx.renderer.run(functools.partial(check_sources, _given_parts(data), whole=True))
    return await ctx.db.run(create_template, organization_id, data)


async def update(ctx: AppContext, organization_id: str, template_id: str, data: dict[str, Any]) -> dict[str, Any]:
    await ctx.renderer.run(check_sources, _given_parts(data))
    return await ctx.db.run(update_template, organization_id, template_id, data)


def create_template(organization_id: str, data: dict[str, Any]) -> dict[str, Any]:
    """Store a template whose parts `check_sources` passed."""
    now = clock.now()
    return template_dict(Template.create(organization=organization_id, name=data["name"],
                                         subject=data["subject"], html=data.get("html"),
                                         text=data.get("text"), created_at=now, updated_at=now))


def update_template(organization_id: str, template_id: str, data: dict[str, Any]) -> dict[str, Any]:
    found = get_template(organization_id, template_id)
    for name in ("name", *PARTS):
        if name in data:
            setattr(found, name, data[name])
    errors = body_errors(_parts(found))
    if errors:
        raise invalid(errors)
    found.updated_at = clock.now()
    found.save()
    return template_dict(found)


def delete_template(organization_id: str, template_id: str) -> None:
    get_template(organization_id, template_id).delete_instance()


def contact_variables(contact: Contact) -> dict[str, Any]:
    """What a template sees as `contact`."""
    return {"id": contact.id, "email": contact.email, "first_name": contact.first_name,
            "last_name": contact.last_name, "status": contact.status, "attributes": contact.attributes}


def _preview_input(organization_id: str, template_id: str, variables: dict[str, Any],
                   contact_id: str | None) -> tuple[dict[str, str | None], dict[str, Any]]:
    template = get_template(organization_id, template_id)
    variables = dict(variables)
    if contact_id:
        contact = Contact.get_or_none((Contact.id == contact_id) & (Contact.organization == organization_id))
        if contact is None:
            raise unknown_reference({"contact_id": [f"No contact with id {contact_id}."]})
        variables.setdefault("contact", contact_variables(contact))
    return _parts(template), variables


async def preview(ctx: AppContext, organization_id: str, template_id: str, variables: dict[str, Any],
                  contact_id: str | None) -> dict[str, Any]:
    parts, variables = await ctx.db.run(_preview_input, organization_id, template_id, variables, contact_id)
    return await ctx.renderer.run(render_email, parts, variables)


def _send_input(organization_id: str, data: dict[str, Any]) -> tuple[dict[str, str | None], dict[str, Any]]:
    template = get_template(organization_id, data["template_id"], field="template_id")
    variables = dict(data.get("variables") or {})
    if len(data["to"]) == 1 and "contact" not in variables:
        email = normalize_email(mail.split_address(data["to"][0])[1])
        contact = email and Contact.get_or_none((Contact.organization == organization_id)
                                                & (Contact.email == email))
        if contact:
            variables["contact"] = contact_variables(contact)
    return _parts(template), variables


async def fill_send_request(ctx: AppContext, organization_id: str, data: dict[str, Any]) -> dict[str, Any]:
    """A send request with `template_id`: render the template into subject / html / text.

    Parts given in the request win over the template's. When the email has one `to`
    recipient who is a contact, the template also sees that contact as `contact`.
    """
    parts, variables = await ctx.db.run(_send_input, organization_id, data)
    rendered = await ctx.renderer.run(render_email, parts, variables)
    filled = {k: v for k, v in data.items() if k not in ("template_id", "variables")}
    for name in PARTS:
        if filled.get(name) is None:
            filled[name] = rendered[name]
    return filled
