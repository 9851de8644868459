"""Which captured email is marketing mail, and whether its recipients can unsubscribe in one click.

Marketing mail is what the sender called marketing (the send API's `category`, SMTP's
`X-Gclap-Category`, campaigns, automation emails) or what carries bulk-mail headers
(`List-Unsubscribe`, `List-Id`, `Precedence: bulk|list`). One-click unsubscribe (RFC 8058) is a
`List-Unsubscribe` with an https URL plus `List-Unsubscribe-Post: List-Unsubscribe=One-Click` in
the delivered version: the sender's own, or the one the pipeline adds to marketing mail.

`on_email_stored` runs in the capture's transaction (server/wiring.py) and writes one
MarketingEmail row per marketing email; other mail costs a byte search of its header block.
"""
from __future__ import annotations

from email.message import Message
from email.parser import BytesHeaderParser
from typing import TYPE_CHECKING

from gclap_sandbox.models import EmailContent, MarketingEmail
from gclap_sandbox.pipeline.incoming import CATEGORY_HEADER

if TYPE_CHECKING:
    from gclap_sandbox.models import Email
    from gclap_sandbox.pipeline.incoming import Incoming

MARKETING = "marketing"
BULK_HEADERS = (b"list-unsubscribe", b"list-id", b"precedence", CATEGORY_HEADER.lower().encode())
ONE_CLICK, LINK_ONLY, NONE = "one_click", "link", "none"


def header_block(raw: bytes) -> bytes:
    end = raw.find(b"\r\n\r\n")
    if end < 0:
        end = raw.find(b"\n\n")
    return raw if end < 0 else raw[:end + 2]


def unsubscribe_kind(headers: list[tuple[str, str]]) -> str:
    """one_click, link or none, from the delivered version's header fields."""
    values: dict[str, list[str]] = {}
    for name, value in headers:
        values.setdefault(name.lower(), []).append(str(value))
    links = " ".join(values.get("list-unsubscribe", []))
    if not links.strip():
        return NONE
    post = " ".join(values.get("list-unsubscribe-post", [])).replace(" ", "").lower()
    if "<https://" in links.lower() or "<http://" in links.lower():
        if post == "list-unsubscribe=one-click":
            return ONE_CLICK
    return LINK_ONLY


def is_bulk(msg: Message) -> bool:
    precedence = str(msg.get("Precedence") or "").strip().lower()
    return bool(msg.get("List-Unsubscribe") or msg.get("List-Id") or precedence in ("bulk", "list"))


def on_email_stored(email: Email, incoming: Incoming) -> None:
    """On `email_stored` (server/wiring.py): remember marketing mail and its unsubscribe headers."""
    if not incoming.lifecycle:  # the sandbox's own mail (bounce reports, placement seeds)
        return
    category = incoming.controls.category if incoming.controls is not None else None
    block = header_block(incoming.raw)
    msg: Message | None = None
    lowered = block.lower()
    if any(name in lowered for name in BULK_HEADERS):
        msg = BytesHeaderParser().parsebytes(block)
        if category is None:
            category = str(msg.get(CATEGORY_HEADER) or "").strip().lower() or None
    if category != MARKETING and incoming.campaign_id is None and not (msg is not None and is_bulk(msg)):
        return
    own = [(name, str(value)) for name, value in msg.items()] if msg is not None else []
    content = EmailContent.get_or_none(EmailContent.email == email.id)
    added = [(name, value) for name, value in (content.added_headers or [])] if content else []
    domain = (email.from_address or "").rpartition("@")[2].lower()
    MarketingEmail.insert(email=email.id, organization=email.organization_id, domain=domain,
                          unsubscribe=unsubscribe_kind(added + own), created_at=email.created_at).execute()
