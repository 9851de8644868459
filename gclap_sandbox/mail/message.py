"""MIME in and out: build a message from an API request; parse raw bytes into captured fields.

Both directions use the stdlib `email` package. Parsing never raises: malformed MIME is
stored as received and whatever could be read is shown.
"""
from __future__ import annotations

import html as html_lib
import re
import uuid
from dataclasses import dataclass, field
from email import policy
from email.header import decode_header, make_header
from email.message import Message
from email.parser import BytesParser
from email.utils import getaddresses, parseaddr
from typing import Any

from gclap_sandbox.schema import normalize_address

# CRLF line endings, as on the wire; non-ASCII headers RFC 2047-encoded.
WIRE = policy.SMTP
_PARSER = BytesParser(policy=policy.compat32)
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


# --- parsing (SMTP and API alike) -------------------------------------------------------
# The compat32 parser is about ten times faster than policy.default; headers are decoded
# explicitly below (RFC 2047 words, raw UTF-8 from SMTPUTF8), which is all we need of it.

def parse_message(raw: bytes) -> tuple[Message | None, ParsedEmail]:
    parsed = ParsedEmail(size=len(raw))
    try:
        msg = _PARSER.parsebytes(raw)
    except Exception as exc:  # the stdlib parser is lenient; this is a last resort
        parsed.defects.append(f"unparseable message: {exc}")
        parsed.text = raw.decode("utf-8", "replace")
        return None, parsed
    try:
        fill_from_message(msg, parsed)
    except Exception as exc:  # keep what was read; the raw source is stored regardless
        parsed.defects.append(f"could not fully parse: {exc!r}")
    return msg, parsed


def fill_from_message(msg: Message, parsed: ParsedEmail) -> None:
    parsed.subject = " ".join(decode_header_value(_raw_header(msg, "subject")).split())
    parsed.message_id = (_raw_header(msg, "message-id") or "").strip() or None
    from_list = header_addresses(msg, "from")
    if from_list:
        parsed.from_name, parsed.from_address = from_list[0]
    parsed.to = [format_address(*pair) for pair in header_addresses(msg, "to")]
    parsed.cc = [format_address(*pair) for pair in header_addresses(msg, "cc")]
    parsed.reply_to = [format_address(*pair) for pair in header_addresses(msg, "reply-to")]
    bodies = _fill_bodies(msg, parsed)
    parsed.attachments = list(_attachments(msg, bodies, parsed.html or ""))
    parsed.defects.extend(type(d).__name__ for d in msg.defects)


def unescape_utf8(value: str) -> str:
    """Raw 8-bit header bytes (SMTPUTF8) reach us as surrogate escapes; decode them as UTF-8."""
    try:
        value.encode("utf-8")
        return value
    except UnicodeEncodeError:
        return value.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def _raw_headers(msg: Message, name: str) -> list[str]:
    """Header values as stored (compat32 would wrap 8-bit ones in lossy Header objects)."""
    name = name.lower()
    return [str(value) for key, value in msg.raw_items() if key.lower() == name]


def _raw_header(msg: Message, name: str) -> str | None:
    values = _raw_headers(msg, name)
    return values[0] if values else None


def decode_header_value(value: object) -> str:
    """A header as readable text: RFC 2047 encoded words decoded, bad charsets replaced."""
    if value is None:
        return ""
    text = unescape_utf8(str(value))
    if "=?" not in text:
        return text
    try:
        return str(make_header(decode_header(text)))
    except Exception:  # unknown charset or broken encoded word: show it as it is
        return text


def header_addresses(msg: Message, name: str) -> list[tuple[str, str]]:
    """(display name, address) pairs of an address header; empty when absent or unreadable."""
    values = _raw_headers(msg, name)
    pairs = getaddresses([unescape_utf8(v) for v in values])
    return [(decode_header_value(n), a) for n, a in pairs if a and "@" in a]


def _decoded_text(part: Message) -> str:
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return str(payload or "")
    charset = part.get_content_charset() or "utf-8"
    try:
        return payload.decode(charset, "replace")
    except LookupError:  # an unknown charset name
        return payload.decode("utf-8", "replace")


def _fill_bodies(msg: Message, parsed: ParsedEmail) -> set[int]:
    """The first plain and HTML parts that are not attachments are the bodies; returns their ids."""
    used: set[int] = set()
    for part in msg.walk():
        if part.is_multipart() or part.get_content_disposition() == "attachment":
            continue
        kind = part.get_content_type()
        if kind == "text/plain" and parsed.text is None:
            parsed.text = _decoded_text(part)
        elif kind == "text/html" and parsed.html is None:
            parsed.html = _decoded_text(part)
        else:
            continue
        used.add(id(part))
    return used


def _attachments(msg: Message, body_parts: set[int], html: str):
    for position, part in enumerate(msg.walk()):
        if part.is_multipart() or id(part) in body_parts:
            continue
        try:
            payload = part.get_payload(decode=True) or b""
        except Exception:
            payload = b""
        disposition = part.get_content_disposition() or ""
        raw_cid = part.get("content-id")
        content_id = str(raw_cid).strip().strip("<>") if raw_cid else None
        # Shown inside the HTML (cid: reference) counts as inline whatever the disposition says.
        referenced = bool(content_id) and f"cid:{content_id}" in html
        yield Attachment(
            position=position,
            filename=_safe_filename(part),
            content_type=part.get_content_type(),
            size=len(payload),
            content_id=content_id,
            inline=referenced or disposition == "inline" or (bool(content_id) and disposition != "attachment"),
        )


def _safe_filename(part: Message) -> str | None:
    try:
        name = part.get_filename()
    except Exception:
        return None
    return decode_header_value(name) if name else None


def part_at(raw: bytes, position: int) -> Message | None:
    """The MIME part at `position` in walk order (how attachments are addressed)."""
    msg = _PARSER.parsebytes(raw)
    for index, part in enumerate(msg.walk()):
        if index == position:
            return part
    return None


def header_list(raw: bytes) -> list[dict[str, str]]:
    """Every top-level header in order, decoded, as [{name, value}]."""
    msg = _PARSER.parsebytes(raw, headersonly=True)
    return [{"name": unescape_utf8(name), "value": " ".join(decode_header_value(value).split())}
            for name, value in msg.raw_items()]


def without_headers(raw: bytes, names: tuple[str, ...]) -> bytes:
    """`raw` with the named top-level header fields (and their folded lines) taken out."""
    newline = b"\r\n" if b"\r\n" in raw[:4096] else b"\n"
    head, sep, body = raw.partition(newline + newline)
    if not sep:
        return raw
    wanted = {name.lower().encode() for name in names}
    kept: list[bytes] = []
    dropping = False
    for line in head.split(newline):
        if line[:1] in (b" ", b"\t"):  # a continuation of the previous field
            if not dropping:
                kept.append(line)
            continue
        dropping = line.split(b":", 1)[0].strip().lower() in wanted
        if not dropping:
            kept.append(line)
    return newline.join(kept) + sep + body


# --- small helpers ---------------------------------------------------------------------

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
