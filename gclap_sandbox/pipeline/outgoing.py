"""What leaves the sandbox for a captured email, built from the bytes it received.

`/raw/` always returns the received bytes. Two other versions are derived from them:

- **delivered**: what a recipient would get: the tracking rewrites (links, open pixel) and
  the List-Unsubscribe headers the sandbox added;
- **relayed**: what the relay hands to the upstream server: the received message, without
  the sandbox's tracking.

Both drop the sandbox's own control headers (X-Gclap-*) and, as an MTA does, add a
`Message-ID` (the email's `message_id`) and a `Date` (its capture time) when the sender left
them out; mail from a verified sending domain gets a DKIM-Signature on top (domains/signing.py).
Only these header edits and the tracked HTML part differ from the received bytes.
"""
from __future__ import annotations

from datetime import datetime
from email.utils import format_datetime
from typing import TYPE_CHECKING, Iterable

from gclap_sandbox.domains import signing
from gclap_sandbox.mail.headers import (
    filled_headers,
    with_headers_first,
    without_headers,
)
from gclap_sandbox.pipeline.incoming import CONTROL_HEADERS

if TYPE_CHECKING:
    from gclap_sandbox.models import Email, EmailContent

RECEIVED, DELIVERED = "received", "delivered"
VERSIONS = (RECEIVED, DELIVERED)


def mta_fields(raw: bytes, message_id: str | None, sent_at: datetime) -> list[tuple[str, str]]:
    """The Message-ID and Date fields a message lacks (blank counts as missing)."""
    filled = filled_headers(raw)
    fields = []
    if "message-id" not in filled and message_id:
        fields.append(("Message-ID", message_id))
    if "date" not in filled:
        fields.append(("Date", format_datetime(sent_at, usegmt=True)))
    return fields


def _finish(raw: bytes, message_id: str | None, sent_at: datetime, added: Iterable[tuple[str, str]] = ()) -> bytes:
    added_fields = mta_fields(raw, message_id, sent_at)
    names = tuple(name for name, _ in added_fields)
    raw = without_headers(raw, CONTROL_HEADERS + names)  # names: drop their blank fields too
    return with_headers_first(raw, [*added_fields, *added])


def relayed(received: bytes, message_id: str | None, sent_at: datetime) -> bytes:
    return _finish(received, message_id, sent_at)


def delivered(received: bytes, message_id: str | None, sent_at: datetime, rewritten: bytes | None = None,
              added: Iterable[tuple[str, str]] = ()) -> bytes:
    """The delivered version: `rewritten` is the received message with tracking applied
    (None when tracking changed nothing); `added` are headers put in front (List-Unsubscribe)."""
    return _finish(received if rewritten is None else rewritten, message_id, sent_at, added)


def delivered_version(email: Email, content: EmailContent) -> bytes:
    rewritten = None if content.rewritten is None else bytes(content.rewritten)
    return signing.signed(email, delivered(bytes(content.raw), email.message_id, email.created_at, rewritten,
                                           content.added_headers or ()))


def relayed_version(email: Email, content: EmailContent) -> bytes:
    return signing.signed(email, relayed(bytes(content.raw), email.message_id, email.created_at))
