"""What the API and the page call for placement tests: the send request made into the seed email
(template rendered off the loop), then one unit of work on the DB thread."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from gclap_sandbox.deliverability import placement
from gclap_sandbox.errors import ValidationFailed
from gclap_sandbox.mail import message as mail
from gclap_sandbox.models.fields import new_id
from gclap_sandbox.pipeline.incoming import Incoming
from gclap_sandbox.templating.store import fill_send_request

if TYPE_CHECKING:
    from gclap_sandbox.server.context import AppContext


async def run_placement_test(ctx: AppContext, organization_id: str, data: dict[str, Any]) -> dict[str, Any]:
    """`data`: a send request without recipients, plus `providers` (default: all of them)."""
    test_id = new_id()
    providers = placement.providers_for(data.pop("providers", None))
    data = {**data, "to": [placement.seed_address(name, test_id) for name in providers]}
    if data.get("template_id"):
        data = await fill_send_request(ctx, organization_id, data)
    raw = mail.build_raw(data, mail.new_message_id())
    if len(raw) > ctx.settings.max_message_size:
        field = "attachments" if data.get("attachments") else "html" if data.get("html") else "text"
        raise ValidationFailed({field: [f"The message is {len(raw)} bytes; the limit is "
                                        f"{ctx.settings.max_message_size}."]})
    incoming = Incoming(
        raw=raw, source="api", organization_id=organization_id,
        envelope_from=mail.split_address(data.get("from_email") or mail.DEFAULT_FROM)[1],
        envelope_to=list(data["to"]), tags=list(data.get("tags") or []),
        metadata={**(data.get("metadata") or {}), "placement_test_id": test_id},
        api_bodies=(data.get("text"), data.get("html")), lifecycle=False, options=ctx.delivery)
    return await ctx.db.run(placement.run, incoming, data, providers, ctx.delivery.seed or 0)
