"""A captured message as a reader of its source wants it: the MIME tree with each part's
headers, its text parts decoded from quoted-printable or base64 into text, and its binary
parts summarised (type, name, decoded size) instead of pages of base64."""
from __future__ import annotations

from dataclasses import dataclass, field
from email.message import Message

from gclap_sandbox.mail.headers import decode_header_value, parse_bytes
from gclap_sandbox.mail.parts import filename as part_filename

TEXT_LIMIT = 256 * 1024  # characters of one decoded text part shown; the rest is cut
TOTAL_TEXT_LIMIT = 1024 * 1024  # characters of text over all parts, so one page stays a sane size
PART_LIMIT = 500  # parts listed; a message with more is summarised after that
# Parts that are text to a reader although their type is not text/*.
TEXTUAL = ("application/json", "application/xml", "application/javascript", "application/ld+json",
           "message/delivery-status", "message/global-delivery-status", "text/rfc822-headers")


@dataclass
class DecodedPart:
    depth: int  # nesting level: 0 for the message itself
    content_type: str
    headers: list[tuple[str, str]]
    encoding: str  # Content-Transfer-Encoding as sent (7bit when absent)
    charset: str | None = None
    filename: str | None = None
    text: str | None = None  # the decoded text of a text part
    truncated: bool = False
    size: int = 0  # decoded bytes of a leaf part
    children: int = 0  # parts directly inside a multipart or message part
    notes: list[str] = field(default_factory=list)


def is_textual(content_type: str) -> bool:
    return content_type.startswith("text/") or content_type in TEXTUAL or content_type.endswith("+xml") \
        or content_type.endswith("+json")


def _headers(part: Message) -> list[tuple[str, str]]:
    # raw_items: the stored strings; items() would turn raw UTF-8 (SMTPUTF8) into U+FFFD first
    return [(name, decode_header_value(value)) for name, value in part.raw_items()]


def _leaf(part: Message, depth: int, text_budget: int) -> DecodedPart:
    content_type = part.get_content_type()
    decoded = DecodedPart(depth=depth, content_type=content_type, headers=_headers(part),
                          encoding=(part.get("Content-Transfer-Encoding") or "7bit").strip().lower(),
                          charset=part.get_content_charset(),
                          filename=part_filename(part))
    payload = part.get_payload(decode=True)
    body = payload if isinstance(payload, bytes) else b""
    decoded.size = len(body)
    if is_textual(content_type):
        charset = decoded.charset or "utf-8"
        try:
            text = body.decode(charset, "replace")
        except LookupError:  # an unknown charset name: show it as UTF-8 and say so
            text = body.decode("utf-8", "replace")
            decoded.notes.append(f"Unknown charset {charset!r}: shown as UTF-8.")
        limit = min(TEXT_LIMIT, text_budget)
        decoded.truncated = len(text) > limit
        decoded.text = text[:limit]
    return decoded


def decode_parts(raw: bytes) -> tuple[list[DecodedPart], int]:
    """Every part in source order (containers before what they hold), and how many were left out."""
    parts: list[DecodedPart] = []
    skipped = 0
    budget = TOTAL_TEXT_LIMIT

    def visit(part: Message, depth: int) -> None:
        nonlocal skipped, budget
        if len(parts) >= PART_LIMIT:
            skipped += 1
            return
        payload = part.get_payload()
        if part.is_multipart() and isinstance(payload, list):
            container = DecodedPart(depth=depth, content_type=part.get_content_type(), headers=_headers(part),
                                    encoding=(part.get("Content-Transfer-Encoding") or "7bit").strip().lower(),
                                    children=len(payload))
            parts.append(container)
            for child in payload:
                if isinstance(child, Message):
                    visit(child, depth + 1)
                    if container.content_type == "message/delivery-status":
                        parts[-1].content_type = "status fields"  # a block of fields, not a text part
        else:
            leaf = _leaf(part, depth, budget)
            budget -= len(leaf.text or "")
            parts.append(leaf)

    try:
        visit(parse_bytes(raw), 0)
    except Exception:  # malformed MIME is stored as received; its decoded view is what parsed
        pass
    return parts, skipped
