"""What each recipient of a campaign gets (pure: no database, no HTTP).

Subject, html and text are Jinja2 sources, the template's or the campaign's own, rendered per
recipient with the campaign's variables plus `contact` (id, email, first_name, last_name,
status, attributes) within the render budget (templating/render.py).
"""
from __future__ import annotations

from typing import Any

from gclap_sandbox.errors import ValidationFailed
from gclap_sandbox.mail import message as mail
from gclap_sandbox.models import Campaign, Contact
from gclap_sandbox.pipeline.incoming import Controls, DeliveryOptions, Incoming
from gclap_sandbox.templating.render import PARTS, render_email
from gclap_sandbox.templating.store import contact_variables

CATEGORY = "marketing"  # campaigns are marketing mail: RFC 8058 one-click unsubscribe applies


def own_parts(campaign: Campaign) -> dict[str, str | None]:
    return {name: getattr(campaign, name) for name in PARTS}


def merged_parts(template_parts: dict[str, str | None] | None, own: dict[str, str | None]
                 ) -> dict[str, str | None]:
    """The campaign's own parts win over its template's (as in the send API)."""
    base = dict(template_parts or {name: None for name in PARTS})
    return {name: own[name] if own.get(name) is not None else base.get(name) for name in PARTS}


def variables_for(base: dict[str, Any], contact: dict[str, Any]) -> dict[str, Any]:
    return {**base, "contact": contact}


def stand_in_contact(address: str) -> dict[str, Any]:
    """`contact` for an address that is no contact (a test send to a colleague)."""
    return {"id": None, "email": address, "first_name": "", "last_name": "", "status": "subscribed",
            "attributes": {}}


def contact_dict(contact: Contact) -> dict[str, Any]:
    return contact_variables(contact)


def render_for(parts: dict[str, str | None], variables: dict[str, Any], contact: dict[str, Any]
               ) -> dict[str, str | None]:
    """The rendered subject / html / text for one recipient (raises ValidationFailed)."""
    return render_email(parts, variables_for(variables, contact))


def send_request(campaign: Campaign, rendered: dict[str, str | None], to: str) -> dict[str, Any]:
    """The campaign's email to one address, as the send API would take it."""
    data: dict[str, Any] = {"to": [to], "subject": rendered["subject"] or "", "html": rendered["html"],
                            "text": rendered["text"], "reply_to": list(campaign.reply_to or []),
                            "tags": list(campaign.tags or [])}
    if campaign.from_email:
        data["from_email"] = campaign.from_email
    return {k: v for k, v in data.items() if v is not None}


def incoming_for(campaign: Campaign, data: dict[str, Any], options: DeliveryOptions | None, *,
                 counted: bool = True, metadata: dict[str, Any] | None = None) -> Incoming:
    """The pipeline's Incoming for one recipient; `counted` False for a test send (no campaign id)."""
    raw = mail.build_raw(data, mail.new_message_id())
    return Incoming(
        raw=raw, source="api", organization_id=campaign.organization_id,
        envelope_from=mail.split_address(data.get("from_email") or mail.DEFAULT_FROM)[1],
        envelope_to=list(data["to"]), tags=list(data.get("tags") or []),
        metadata=metadata if metadata is not None else {"campaign_id": campaign.id},
        api_bodies=(data.get("text"), data.get("html")),
        controls=Controls(track_opens=campaign.track_opens, track_clicks=campaign.track_clicks, category=CATEGORY),
        options=options, campaign_id=campaign.id if counted else None)


def prepare(campaign: Campaign, parts: dict[str, str | None], people: list[tuple[int, dict[str, Any]]],
            options: DeliveryOptions | None) -> list[tuple[int, Incoming | str]]:
    """Each recipient's email, rendered and built, ready to capture; or `render_failed` when
    the content cannot be rendered for them. Blocking work for the render threads."""
    prepared: list[tuple[int, Incoming | str]] = []
    for recipient_id, contact in people:
        try:
            rendered = render_for(parts, campaign.variables or {}, contact)
        except ValidationFailed:
            prepared.append((recipient_id, "render_failed"))
            continue
        prepared.append((recipient_id, incoming_for(campaign, send_request(campaign, rendered, contact["email"]),
                                                    options)))
    return prepared
