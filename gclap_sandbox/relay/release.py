"""Releasing one captured email upstream now: the API's `release/` route and the UI's
Release button both call `release_email`, so they check, send and record alike."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from gclap_sandbox.errors import BadGateway, Conflict, ValidationFailed
from gclap_sandbox.mail import message as mail
from gclap_sandbox.relay import store as relay_store
from gclap_sandbox.relay.config import send_upstream

if TYPE_CHECKING:
    from gclap_sandbox.server.context import AppContext


async def release_email(ctx: AppContext, organization_id: str, email_id: str,
                        asked: list[str] | None) -> dict[str, Any]:
    """Relay to the email's own recipients (or to `asked`); the recorded job, or raise."""
    config = ctx.relay
    sender, own, raw = await ctx.db.run(relay_store.release_source, organization_id, email_id)
    if config is None:
        raise Conflict("Relaying is not configured; start the sandbox with --relay smtp://host:port.",
                       slug="relay-not-configured")
    if asked:
        wanted = list(dict.fromkeys(mail.split_address(a)[1] for a in asked))
        denied = {f"to[{i}]": ["Matches a --relay-deny pattern; it is never relayed."]
                  for i, a in enumerate(asked) if config.denied(mail.split_address(a)[1])}
        if denied:
            raise ValidationFailed(denied)
    else:
        wanted = own
    recipients, skipped = config.release_recipients(wanted)
    if not recipients:
        raise Conflict("Every recipient of this email matches a --relay-deny pattern; nothing to relay.",
                       slug="relay-denied")
    outcome = await send_upstream(config.target, sender, recipients, raw, config.timeout)
    job = await ctx.db.run(relay_store.record_release, email_id, recipients, outcome)
    job["skipped"] = skipped
    if not outcome.accepted:
        raise BadGateway(f"The relay server refused the message: {outcome.code or 'no reply'} {outcome.message}",
                         relay=job)
    return job
