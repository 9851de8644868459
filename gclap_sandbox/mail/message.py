"""MIME in and out: build a message from an API request; parse raw bytes into captured fields.

Both directions use the stdlib `email` package. Parsing never raises: malformed MIME is
stored as received and whatever could be read is shown.
"""
from __future__ import annotations

import functools
import html as html_lib
import re
import uuid
from dataclasses import dataclass, field
from email import policy
from email.message import Message
from email.utils import getaddresses, parseaddr
from typing import Any, Callable

from gclap_sandbox.mail import parts as mime_parts
from gclap_sandbox.mail.headers import (
    decode_header_value,
    parse_bytes,
    raw_headers,
    unescape_utf8,
)
from gclap_sandbox.mail.addresses import normalize_address

# CRLF line endings, as on the wire; non-ASCII headers RFC 2047-encoded.
WIRE = policy.SMTP
SNIPPET_LENGTH = 200
DEFAULT_FROM = "sandbox@gclap-sandbox.test"


@dataclass
class Attachment:
    position: int
    filename: str | None
    content_type: str
    size: int
    content_id: str | None
    inline: bool
    description: str | None = None  # Content-Description
    details: dict[str, Any] | None = None  # what a message part carries (mime_parts.details)


@dataclass
class ParsedEmail:
    message_id: str | None = None
    subject: str = ""
    from_name: str | None = None
    from_address: str | None = None
    to: list[str] = field(default_factory=list)
    cc: list[str] = field(default_factory=list)
    reply_to: list[str] = field(default_factory=list)
    text: str | None = None
    html: str | None = None
    attachments: list[Attachment] = field(default_factory=list)
    text_position: int | None = None  # walk positions of the body parts
    html_position: int | None = None
    size: int = 0
    defects: list[str] = field(default_factory=list)

    @property
    def snippet(self) -> str:
        return make_snippet(self.text, self.html)


# --- building (API) -----------------------------------------------------------------

def new_message_id(domain: str = "gclap-sandbox.local") -> str:
    return f"<{uuid.uuid4()}@{domain}>"


def build_raw(data: dict[str, Any], message_id: str) -> bytes:
    """The MIME bytes of a validated send request (Bcc stays off the headers)."""
    from gclap_sandbox.mail.writer import write_message

    return write_message(data, message_id, DEFAULT_FROM)


def build_sent(data: dict[str, Any], message_id: str) -> tuple[bytes, ParsedEmail | None]:
    """The MIME bytes of a validated send request, and what `parse_message` reads from them when
    that is known without parsing them: no attachments, every header field on one line. The
    fields are read from the header values written, by the code that reads a parsed message's;
    the bodies and their positions follow from the writer's structure. None: parse the bytes."""
    from gclap_sandbox.mail.writer import compose

    raw, headers = compose(data, message_id, DEFAULT_FROM)
    if data.get("attachments") or any("\r" in value or "\n" in value for _, value in headers):
        return raw, None
    values: dict[str, list[str]] = {}
    for name, value in headers:
        values.setdefault(name.lower(), []).append(value)
    parsed = ParsedEmail(size=len(raw))
    try:
        _fill_headers(lambda name: values.get(name, []), parsed)
    except Exception:  # whatever the header readers make of it, parsing decides
        return raw, None
    text, html = data.get("text"), data.get("html")
    # The writer's structure: multipart/alternative (text, html) when both are given, else one part.
    if text is not None and html is not None:
        parsed.text_position, parsed.html_position = 1, 2
    elif html is not None:
        parsed.html_position = 0
    else:
        parsed.text_position, text = 0, text or ""
    # A part holds its text with CRLF line endings (written from any) and a final one, read as LF.
    parsed.text = None if text is None else _ANY_NEWLINE.sub("\n", text) + "\n"
    parsed.html = None if html is None else _ANY_NEWLINE.sub("\n", html) + "\n"
    return raw, parsed


# --- parsing (SMTP and API alike) -------------------------------------------------------
# The compat32 parser is about ten times faster than policy.default; headers are decoded
# explicitly (mime_headers: RFC 2047 words, raw UTF-8 from SMTPUTF8), which is all we need of it.

def parse_message(raw: bytes) -> tuple[Message | None, ParsedEmail]:
    parsed = ParsedEmail(size=len(raw))
    try:
        msg = parse_bytes(raw)
    except Exception as exc:  # the stdlib parser is lenient; this is a last resort
        parsed.defects.append(f"unparseable message: {exc}")
        parsed.text = raw.decode("utf-8", "replace")
        return None, parsed
    try:
        fill_from_message(raw, msg, parsed)
    except Exception as exc:  # keep what was read; the raw source is stored regardless
        parsed.defects.append(f"could not fully parse: {exc!r}")
    return msg, parsed


def fill_from_message(raw: bytes, msg: Message, parsed: ParsedEmail) -> None:
    _fill_headers(lambda name: raw_headers(msg, name), parsed)
    parts = list(mime_parts.leaves(msg))
    _fill_bodies(parts, parsed)
    parsed.attachments = list(_attachments(raw, msg, parts, parsed))
    parsed.defects.extend(type(d).__name__ for d in msg.defects)


def _fill_headers(values: Callable[[str], list[str]], parsed: ParsedEmail) -> None:
    """The captured fields a message's header says; `values(name)`: that field's raw values."""
    subject = values("subject")
    parsed.subject = " ".join(decode_header_value(subject[0] if subject else None).split())
    message_id = values("message-id")
    parsed.message_id = (message_id[0] if message_id else "").strip() or None
    from_list = _addresses(values("from"))
    if from_list:
        parsed.from_name, parsed.from_address = from_list[0]
    parsed.to = [format_address(*pair) for pair in _addresses(values("to"))]
    parsed.cc = [format_address(*pair) for pair in _addresses(values("cc"))]
    parsed.reply_to = [format_address(*pair) for pair in _addresses(values("reply-to"))]


def header_addresses(msg: Message, name: str) -> list[tuple[str, str]]:
    """(display name, address) pairs of an address header; empty when absent or unreadable."""
    return _addresses(raw_headers(msg, name))


def _addresses(values: list[str]) -> list[tuple[str, str]]:
    if not values:
        return []
    if sum(map(len, values)) > _CACHED_HEADER_LENGTH:
        return list(_read_addresses(tuple(values)))
    return list(_cached_addresses(tuple(values)))


def _read_addresses(values: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    pairs = getaddresses([unescape_utf8(v) for v in values])
    return tuple((decode_header_value(n), a) for n, a in pairs if a and "@" in a)


# Pure, and costly (tens of microseconds an address); one sender's header recurs in its every message.
_CACHED_HEADER_LENGTH = 1000
_cached_addresses = functools.lru_cache(maxsize=1024)(_read_addresses)


def decoded_text(part: Message) -> str:
    """A text part's content as the sender encoded it (transfer encoding and charset undone)."""
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return str(payload or "")
    charset = part.get_content_charset() or "utf-8"
    try:
        return payload.decode(charset, "replace")
    except LookupError:  # an unknown charset name
        return payload.decode("utf-8", "replace")


def _fill_bodies(parts: list[tuple[int, Message]], parsed: ParsedEmail) -> None:
    """The first plain and HTML parts that are not attachments are the bodies.

    Their line endings are given as LF: CRLF is how SMTP carries every line, not content."""
    for position, part in parts:
        if part.get_content_disposition() == "attachment":
            continue
        kind = part.get_content_type()
        if kind == "text/plain" and parsed.text_position is None:
            parsed.text, parsed.text_position = decoded_text(part).replace("\r\n", "\n"), position
        elif kind == "text/html" and parsed.html_position is None:
            parsed.html, parsed.html_position = decoded_text(part).replace("\r\n", "\n"), position


def _attachments(raw: bytes, msg: Message, parts: list[tuple[int, Message]], parsed: ParsedEmail):
    spans: dict[int, mime_parts.Span] | None = None
    for position, part in parts:
        if position in (parsed.text_position, parsed.html_position):
            continue
        size, span = 0, None
        if part.is_multipart():  # a message/* part: its size is that of the bytes it spans
            spans = mime_parts.part_spans(raw, msg) if spans is None else spans
            span = spans.get(position)
            size = span.end - span.body if span else 0
        else:
            size = len(mime_parts.decoded(part))
        disposition = part.get_content_disposition() or ""
        raw_cid = part.get("content-id")
        content_id = str(raw_cid).strip().strip("<>") if raw_cid else None
        # Shown inside the HTML (cid: reference) counts as inline whatever the disposition says.
        referenced = bool(content_id) and f"cid:{content_id}" in (parsed.html or "")
        yield Attachment(
            position=position,
            filename=mime_parts.filename(part),
            content_type=part.get_content_type(),
            size=size,
            content_id=content_id,
            inline=referenced or disposition == "inline" or (bool(content_id) and disposition != "attachment"),
            description=mime_parts.description(part),
            details=mime_parts.details(raw, part, span) if mime_parts.is_message_part(part) else None,
        )


def part_content(raw: bytes, position: int) -> tuple[Message | None, bytes]:
    """The MIME part at `position` in walk order (how attachments are addressed) and its content."""
    return mime_parts.content(raw, parse_bytes(raw), position)


# --- small helpers ---------------------------------------------------------------------

_ANY_NEWLINE = re.compile(r"\r\n|\r|\n")
_TAGS = re.compile(r"<[^>]+>")
_DROP = re.compile(r"<(style|script|head)\b.*?</\1\s*>", re.S | re.I)


def make_snippet(text: str | None, html: str | None) -> str:
    source = text
    if not source and html:
        source = html_lib.unescape(_TAGS.sub(" ", _DROP.sub(" ", html)))
    return " ".join((source or "").split())[:SNIPPET_LENGTH]


def split_address(value: str) -> tuple[str, str]:
    """(display name, lower-cased address) of `Name <a@b>` or `a@b`."""
    pair = normalize_address(value) or parseaddr(value)
    return pair[0], pair[1].lower()


_NEEDS_QUOTES = re.compile(r'[()<>\[\]:;@\\,."]')


def format_address(name: str, address: str) -> str:
    """`Name <addr>` for display (UTF-8 kept as is; unlike formataddr it never encodes)."""
    if not name:
        return address
    if _NEEDS_QUOTES.search(name):
        name = '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return f"{name} <{address}>"
