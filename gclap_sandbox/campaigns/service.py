"""What routes and pages call: the DB-thread work (store.py) around the renders, which run on
the render threads (`ctx.renderer`), never on the loop or the database thread."""
from __future__ import annotations

import functools
from datetime import datetime
from typing import TYPE_CHECKING, Any

from gclap_sandbox.campaigns import audience, content, sender, store
from gclap_sandbox.contacts.store import normalize_email
from gclap_sandbox.inbox.queries import summary
from gclap_sandbox.mail import message as mail
from gclap_sandbox.models import Contact
from gclap_sandbox.pipeline.capture import ingest
from gclap_sandbox.state_errors import unknown_reference
from gclap_sandbox.templating.render import PARTS, check_sources

if TYPE_CHECKING:
    from gclap_sandbox.server.context import AppContext


async def _check_own_parts(ctx: AppContext, data: dict[str, Any]) -> None:
    given = {name: data[name] for name in PARTS if data.get(name) is not None}
    if given:
        await ctx.renderer.run(functools.partial(check_sources, given))


async def create(ctx: AppContext, organization_id: str, data: dict[str, Any]) -> dict[str, Any]:
    await _check_own_parts(ctx, data)
    return await ctx.db.run(store.create_campaign, organization_id, data)


async def update(ctx: AppContext, organization_id: str, campaign_id: str, data: dict[str, Any]) -> dict[str, Any]:
    await _check_own_parts(ctx, data)
    return await ctx.db.run(store.update_campaign, organization_id, campaign_id, data)


def _sample(organization_id: str, campaign_id: str) -> tuple[dict[str, str | None], dict[str, Any], dict[str, Any]]:
    """(parts, variables, `contact`) to try the content with: its first recipient, as it would send now."""
    campaign = store.ready_to_send(organization_id, campaign_id)
    parts = sender.parts_of(campaign)
    if parts is None:
        raise unknown_reference({"template_id": [f"No template with id {campaign.template_id}."]})
    first = audience.contacts_query(organization_id, campaign.audience) \
        .where(Contact.status == "subscribed").order_by(Contact.created_at, Contact.id).first()
    contact = content.contact_dict(first) if first else content.stand_in_contact("someone@example.com")
    return parts, dict(campaign.variables or {}), contact


async def send(ctx: AppContext, organization_id: str, campaign_id: str, send_at: datetime | None
               ) -> dict[str, Any]:
    """Schedule the draft, once its content renders for its first recipient (else a 400 naming
    the problem, as the send API gives)."""
    parts, variables, contact = await ctx.db.run(_sample, organization_id, campaign_id)
    await ctx.renderer.run(content.render_for, parts, variables, contact)
    return await ctx.db.run(store.schedule_send, organization_id, campaign_id, send_at)


def _test_input(organization_id: str, campaign_id: str, addresses: list[str]
                ) -> tuple[Any, dict[str, str | None], list[tuple[str, dict[str, Any]]]]:
    campaign = store.get_campaign(organization_id, campaign_id)
    parts = sender.parts_of(campaign)
    if parts is None:
        raise unknown_reference({"template_id": [f"No template with id {campaign.template_id}."]})
    people = []
    for given in addresses:
        address = normalize_email(mail.split_address(given)[1]) or given
        found = Contact.get_or_none((Contact.organization == organization_id) & (Contact.email == address))
        people.append((given, content.contact_dict(found) if found else content.stand_in_contact(address)))
    return campaign, parts, people


async def test_send(ctx: AppContext, organization_id: str, campaign_id: str, addresses: list[str]
                    ) -> dict[str, Any]:
    """The campaign's email to each address, now, as the contact with that address would get it
    (or as a stranger). Not part of the campaign: no campaign id, not in its stats."""
    campaign, parts, people = await ctx.db.run(_test_input, organization_id, campaign_id, addresses)
    rendered = [await ctx.renderer.run(content.render_for, parts, campaign.variables or {}, person)
                for _, person in people]
    emails = []
    for (address, _), parts_for in zip(people, rendered):
        data = content.send_request(campaign, parts_for, address)
        incoming = content.incoming_for(campaign, data, ctx.delivery, counted=False,
                                        metadata={"campaign_test": campaign.id})
        emails.append(summary(await ingest(ctx, incoming)))
    return {"campaign_id": campaign.id, "emails": emails}
