"""REST sends, acknowledged once durable and filed moments later, as SMTP mail is.

`send()` hands the email to the `SENDING` intake (storage/database.py `Intake`): one accept
transaction, shared by every send waiting, charges each one's quota (a refusal raises
QuotaExceeded and stores nothing) and writes its bytes and request envelope (`ReceivedMail`);
the 202 then answers with the summary the email is filed under. The filing itself
(`capture_email`: the listing row, `email.sent`, the scheduled outcomes, search entries) runs
in batches moments later, and before any unit of work of an HTTP request, so the email, its
events and the inbox are there for whoever asks (`serving_reader`). A process stopped before
filing files the rest at its next start (`capture.file_leftovers`).
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from gclap_sandbox.inbox import auto_tags
from gclap_sandbox.inbox import tags as inbox_tags
from gclap_sandbox.inbox.queries import summary
from gclap_sandbox.mail import message as mail
from gclap_sandbox.models import Email
from gclap_sandbox.pipeline import capture
from gclap_sandbox.pipeline.incoming import Incoming
from gclap_sandbox.storage import database as db

if TYPE_CHECKING:
    from gclap_sandbox.server.context import AppContext

SENDING = db.Intake(accept=capture.accept_received, settle=capture.file_received,
                    size=lambda incoming: len(incoming.raw), busy_settle_batch=32)


async def send(ctx: AppContext, incoming: Incoming) -> dict[str, Any]:
    """Make a send durable (its quota charged) and return the summary it is filed under."""
    incoming.options = incoming.options or ctx.delivery
    await ctx.db.take(SENDING, incoming)
    # The send API knows what it wrote (mail.build_sent); anything else is read once here.
    parsed = incoming.parsed or mail.parse_message(incoming.raw)[1]
    email = Email(**capture.email_row(incoming, parsed, capture.recipients_of(incoming, parsed)))
    if sources := ctx.settings.tags_from:  # as filing will add them (auto_tags' email_stored subscriber)
        email.tags = inbox_tags.merged(list(email.tags or []), auto_tags.tags_for(email, incoming, sources))
    return summary(email)
