"""The one pipeline every email goes through, whether it came by REST or by SMTP.

`capture_email()` runs on the DB thread as one unit of work: parse the raw message (once),
decide each recipient's kind (to / cc / bcc), charge the monthly quota, and store the listing
row, recipients, tags, attachment metadata and the raw source exactly as received. The
delivery steps (delivery.py: suppression, the tracking of the delivered version, `email.sent`,
simulated outcomes as jobs) run around the store, so both entry points stay identical.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from gclap_sandbox import clock
from gclap_sandbox.accounts import limits
from gclap_sandbox.inbox.queries import summary
from gclap_sandbox.mail import message as mail
from gclap_sandbox.models import (
    Attachment,
    Email,
    EmailContent,
    EmailRecipient,
    EmailTag,
)
from gclap_sandbox.models.fields import new_id
from gclap_sandbox.pipeline import delivery
from gclap_sandbox.pipeline.incoming import Incoming
from gclap_sandbox.storage import database as db
from gclap_sandbox.storage.bulk import insert_rows

if TYPE_CHECKING:
    from gclap_sandbox.server.context import AppContext


def capture_email(incoming: Incoming) -> Email:
    """Parse and store one email; call on the DB thread (inside `Database.run`)."""
    msg, parsed = mail.parse_message(incoming.raw)
    if incoming.api_bodies is not None:
        parsed.text, parsed.html = incoming.api_bodies
    recipients = _recipients(incoming, parsed)
    # The sandbox's own mail (bounce reports, alerts, scheduled reports, placement seeds) is not the organization's sending.
    if incoming.lifecycle:
        limits.charge_quota(incoming.organization_id, len(recipients))  # raises QuotaExceeded: nothing stored
    addresses = [addr for addr, _, _ in recipients]
    prepared = delivery.prepare(incoming, msg, parsed, addresses) if incoming.lifecycle else None
    row = {
        "id": incoming.email_id,
        "organization": incoming.organization_id,
        "source": incoming.source,
        # As a provider does, every email gets one; the delivered version carries it.
        "message_id": parsed.message_id or mail.new_message_id(),
        "from_address": parsed.from_address,
        "from_name": parsed.from_name or None,
        "envelope_from": incoming.envelope_from,
        "subject": parsed.subject,
        "to": parsed.to,
        "cc": parsed.cc,
        "bcc": [addr for addr, _, kind in recipients if kind == "bcc"],
        "reply_to": parsed.reply_to,
        "tags": incoming.tags,
        "metadata": incoming.metadata,
        "snippet": parsed.snippet,
        "size": parsed.size,
        "attachment_count": sum(1 for a in parsed.attachments if not a.inline),
        "status": "sent",
        "is_read": False,
        "search_text": _search_text(parsed, recipients),
        "created_at": clock.now(),
        "campaign_id": incoming.campaign_id,
    }
    insert_rows(Email, [row])
    insert_rows(EmailContent, [{
        "email": incoming.email_id, "text": parsed.text, "html": parsed.html, "raw": incoming.raw,
        "rewritten": prepared.rewritten if prepared else None,
        "added_headers": prepared.added_headers if prepared and prepared.added_headers else None}])
    insert_rows(EmailRecipient, [
        {"email": incoming.email_id, "address": addr, "name": name, "kind": kind, "status": "sent"}
        for addr, name, kind in recipients])
    insert_rows(EmailTag, [{"email": incoming.email_id, "tag": tag} for tag in incoming.tags])
    insert_rows(Attachment, [
        {"id": new_id(), "email": incoming.email_id, "position": a.position, "filename": a.filename,
         "content_type": a.content_type, "size": a.size, "content_id": a.content_id, "inline": a.inline,
         "description": a.description, "details": a.details}
        for a in parsed.attachments])
    email = Email(**row)
    if prepared is not None:
        delivery.after_store(email, incoming, addresses, prepared)
    # Whoever captured it (API, SMTP or the sandbox itself, e.g. a bounce report): subscribers
    # act in this transaction (a relay is queued) and hear of it once committed (live UI, waits).
    bus = db.current().bus
    bus.email_stored.publish(email, incoming)
    if bus.email_committed:
        db.after_commit(lambda: bus.email_committed.publish(email.organization_id, summary(email)))
    return email


def _recipients(incoming: Incoming, parsed: mail.ParsedEmail) -> list[tuple[str, str, str]]:
    """(address, name, kind) for each distinct envelope recipient, in order."""
    header_kinds: dict[str, tuple[str, str]] = {}
    for kind, values in (("cc", parsed.cc), ("to", parsed.to)):  # "to" wins over "cc"
        for value in values:
            name, address = mail.split_address(value)
            header_kinds[address] = (name, kind)
    bcc = {mail.split_address(v)[1] for v in incoming.bcc}
    envelope = incoming.envelope_to or [*parsed.to, *parsed.cc]
    seen: dict[str, tuple[str, str, str]] = {}
    for value in envelope:
        name, address = mail.split_address(value)
        if not address or address in seen:
            continue
        known_name, kind = header_kinds.get(address, (name, "bcc"))
        if address in bcc and address not in header_kinds:
            kind = "bcc"
        seen[address] = (address, known_name or name, kind)
    return list(seen.values())


def _search_text(parsed: mail.ParsedEmail, recipients: list[tuple[str, str, str]]) -> str:
    parts = [parsed.from_name or "", parsed.from_address or "", parsed.subject]
    parts.extend(f"{name} {addr}" for addr, name, _ in recipients)
    return " ".join(p for p in parts if p).lower()


async def ingest(ctx: AppContext, incoming: Incoming) -> Email:
    """Store an email off the loop, as one unit of work on the DB thread."""
    incoming.options = incoming.options or ctx.delivery
    return await ctx.db.run(capture_email, incoming)
