"""Releasing one captured email upstream now: the API's `release/` route and the UI's
Release button both call `release_email`, so they check, send and record alike.

`plan_release` works out where the message would go without sending it; the UI shows that
plan (upstream server and recipients) for confirmation, then sends with the upstream it
showed, and the send is refused if the plan no longer names that server.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from gclap_sandbox.errors import BadGateway, Conflict, ValidationFailed
from gclap_sandbox.mail import message as mail
from gclap_sandbox.relay import store as relay_store
from gclap_sandbox.relay.config import RelayConfig, send_upstream

if TYPE_CHECKING:
    from gclap_sandbox.server.context import AppContext


@dataclass(frozen=True)
class ReleasePlan:
    config: RelayConfig
    sender: str
    recipients: list[str]  # relayed
    skipped: list[str]  # own recipients a --relay-deny pattern keeps back
    raw: bytes

    @property
    def upstream(self) -> str:
        return self.config.target.display  # without the password

    def describe(self) -> dict[str, Any]:
        return {"upstream": self.upstream, "host": self.config.target.host, "recipients": self.recipients,
                "skipped": self.skipped}


async def plan_release(ctx: AppContext, organization_id: str, email_id: str,
                       asked: list[str] | None) -> ReleasePlan:
    """Where a release would go: to the email's own recipients (or to `asked`); or raise."""
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
    return ReleasePlan(config, sender, recipients, skipped, raw)


async def release_email(ctx: AppContext, organization_id: str, email_id: str,
                        asked: list[str] | None, confirmed_upstream: str | None = None) -> dict[str, Any]:
    """Send as `plan_release` says; the recorded job, or raise. With `confirmed_upstream`
    (the UI), refuse unless the plan still names that server."""
    plan = await plan_release(ctx, organization_id, email_id, asked)
    if confirmed_upstream is not None and confirmed_upstream != plan.upstream:
        raise Conflict(f"The relay server is {plan.upstream}, not the {confirmed_upstream} you confirmed; "
                       "nothing was sent.", slug="relay-upstream-changed", upstream=plan.upstream)
    outcome = await send_upstream(plan.config.target, plan.sender, plan.recipients, plan.raw, plan.config.timeout)
    job = await ctx.db.run(relay_store.record_release, email_id, plan.recipients, outcome)
    job["skipped"] = plan.skipped
    if not outcome.accepted:
        raise BadGateway(f"The relay server refused the message: {outcome.code or 'no reply'} {outcome.message}",
                         relay=job)
    return job
