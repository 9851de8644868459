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
from email.message import EmailMessage, Message
from email.parser import BytesParser
from email.utils import formatdate, getaddresses, parseaddr
from typing import Any

from gclap_sandbox.schema import normalize_address

# CRLF line endings, as on the wire; non-ASCII headers RFC 2047-encoded.
WIRE = policy.SMTP
_PARSER = BytesParser(policy=policy.default)
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


def build_message(data: dict[str, Any], message_id: str) -> EmailMessage:
    """Turn a validated send request into a MIME message (Bcc stays off the headers)."""
    msg = EmailMessage(policy=WIRE)
    msg["From"] = data.get("from_email") or DEFAULT_FROM
    msg["To"] = ", ".join(data["to"])
    if data.get("cc"):
        msg["Cc"] = ", ".join(data["cc"])
    if data.get("reply_to"):
        msg["Reply-To"] = ", ".join(data["reply_to"])
    msg["Subject"] = data["subject"]
    msg["Date"] = formatdate(localtime=False, usegmt=True)
    msg["Message-ID"] = message_id
    for name, value in (data.get("headers") or {}).items():
        msg[name] = value
    text, html = data.get("text"), data.get("html")
    if text is not None and html is not None:
        msg.set_content(text)
        msg.add_alternative(html, subtype="html")
    elif html is not None:
        msg.set_content(html, subtype="html")
    else:
        msg.set_content(text or "")
    for item in data.get("attachments") or []:
        _attach(msg, item)
    return msg


def _attach(msg: EmailMessage, item: dict[str, Any]) -> None:
    maintype, _, subtype = (item.get("content_type") or "application/octet-stream").partition("/")
    content_id = item.get("content_id")
    if content_id:
        html_part = msg.get_body(("html",))
        if html_part is not None:
            html_part.add_related(item["content"], maintype, subtype or "octet-stream",
                                  cid=f"<{content_id.strip('<>')}>", filename=item["filename"],
                                  disposition="inline")
            return
    msg.add_attachment(item["content"], maintype, subtype or "octet-stream", filename=item["filename"])


# --- parsing (SMTP and API alike) -------------------------------------------------------

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
    parsed.subject = _header_str(msg, "subject", parsed)
    parsed.message_id = _header_str(msg, "message-id", parsed) or None
    from_list = _addresses(msg, "from", parsed)
    if from_list:
        parsed.from_name, parsed.from_address = from_list[0]
    parsed.to = [format_address(*pair) for pair in _addresses(msg, "to", parsed)]
    parsed.cc = [format_address(*pair) for pair in _addresses(msg, "cc", parsed)]
    parsed.reply_to = [format_address(*pair) for pair in _addresses(msg, "reply-to", parsed)]
    body_parts = _fill_bodies(msg, parsed)
    parsed.attachments = list(_attachments(msg, body_parts, parsed.html or ""))
    parsed.defects.extend(str(d) for d in getattr(msg, "defects", []))


def unescape_utf8(value: str) -> str:
    """Raw 8-bit header bytes (SMTPUTF8) reach us as surrogate escapes; decode them as UTF-8."""
    try:
        value.encode("utf-8")
        return value
    except UnicodeEncodeError:
        return value.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def _header_str(msg: Message, name: str, parsed: ParsedEmail) -> str:
    try:
        value = msg.get(name)
        return "" if value is None else unescape_utf8(" ".join(str(value).split()))
    except Exception as exc:
        parsed.defects.append(f"bad {name} header: {exc}")
        raw = msg.get_all(name, failobj=[None])[0] if hasattr(msg, "get_all") else None
        return str(raw or "")


def _addresses(msg: Message, name: str, parsed: ParsedEmail) -> list[tuple[str, str]]:
    try:
        header = msg.get(name)
        if header is None:
            return []
        if hasattr(header, "addresses"):
            pairs = [(a.display_name, a.addr_spec) for a in header.addresses if a.addr_spec]
        else:
            pairs = [(n, a) for n, a in getaddresses([str(header)]) if a]
        return [(unescape_utf8(n), unescape_utf8(a)) for n, a in pairs]
    except Exception as exc:
        parsed.defects.append(f"bad {name} header: {exc}")
        return []


def _decoded_text(part: Message) -> str:
    try:
        return part.get_content()  # type: ignore[attr-defined]
    except Exception:
        payload = part.get_payload(decode=True) or b""
        return payload.decode("utf-8", "replace") if isinstance(payload, bytes) else str(payload)


def _fill_bodies(msg: Message, parsed: ParsedEmail) -> set[int]:
    """Pick the text and HTML bodies; returns the ids of the parts used as bodies."""
    used: set[int] = set()
    get_body = getattr(msg, "get_body", None)
    for subtype in ("plain", "html"):
        part = None
        if get_body is not None:
            try:
                part = get_body((subtype,))
            except Exception:
                part = None
        if part is None:
            continue
        used.add(id(part))
        text = _decoded_text(part)
        if subtype == "plain":
            parsed.text = text
        else:
            parsed.html = text
    if not used and not msg.is_multipart() and msg.get_content_maintype() == "text":
        parsed.text = _decoded_text(msg)
        used.add(id(msg))
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
        return unescape_utf8(name) if name else name
    except Exception:
        return None


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
    headers = []
    for name, value in msg.raw_items():
        try:
            shown = str(msg.policy.header_fetch_parse(name, value))
        except Exception:
            shown = str(value)
        headers.append({"name": unescape_utf8(name), "value": unescape_utf8(shown)})
    return headers


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
