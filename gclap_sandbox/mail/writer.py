"""Write MIME straight to bytes: the message for an API send, and a part's new body.

The stdlib's EmailMessage builder and generator cost about a millisecond per message, most
of an API send; this writer produces the same structure (multipart/mixed > related >
alternative, as needed) in a few tens of microseconds. What the API stores is read from these
header fields by the same code that reads SMTP mail's (mail/message.py `build_sent`), so it is
exactly what a reader sees in the source.
"""
from __future__ import annotations

import base64
import binascii
import re
import secrets
from datetime import datetime
from email.header import Header
from email.message import Message
from email.utils import format_datetime, formatdate
from typing import Any
from urllib.parse import quote

from gclap_sandbox.mail.headers import newline_of, without_headers
from gclap_sandbox.mail.parts import Span
from gclap_sandbox.mail.addresses import normalize_address

CRLF = b"\r\n"
_NEWLINES = re.compile(r"\r\n|\r|\n")
_NEWLINE_BYTES = re.compile(rb"\r\n|\r|\n")
_MAX_7BIT_LINE = 998


def write_message(data: dict[str, Any], message_id: str, default_from: str, date: datetime | None = None) -> bytes:
    """The RFC 5322 bytes of a validated send request; Bcc never appears in them. `date`: the
    Date header's moment (default: now)."""
    return compose(data, message_id, default_from, date)[0]


def compose(data: dict[str, Any], message_id: str, default_from: str, date: datetime | None = None
            ) -> tuple[bytes, list[tuple[str, str]]]:
    """`write_message`'s bytes, and the message's own header fields (name, value as written)."""
    headers = [
        ("From", _address_list([data.get("from_email") or default_from])),
        ("To", _address_list(data["to"])),
    ]
    if data.get("cc"):
        headers.append(("Cc", _address_list(data["cc"])))
    if data.get("reply_to"):
        headers.append(("Reply-To", _address_list(data["reply_to"])))
    headers += [
        ("Subject", _text_header(data["subject"])),
        ("Date", format_datetime(date) if date is not None else formatdate(localtime=False, usegmt=True)),
        ("Message-ID", message_id),
        ("MIME-Version", "1.0"),
    ]
    headers += [(name, _text_header(value)) for name, value in (data.get("headers") or {}).items()]
    body = _body(data)
    return _header_block(headers + body.headers) + CRLF + body.content, headers


class _Part:
    def __init__(self, headers: list[tuple[str, str]], content: bytes) -> None:
        self.headers, self.content = headers, content

    def to_bytes(self) -> bytes:
        return _header_block(self.headers) + CRLF + self.content


def _body(data: dict[str, Any]) -> _Part:
    text, html = data.get("text"), data.get("html")
    attachments = data.get("attachments") or []
    inline = [a for a in attachments if a.get("content_id")] if html is not None else []
    files = [a for a in attachments if a not in inline]
    html_part = _text_part(html, "html") if html is not None else None
    if html_part is not None and inline:
        html_part = _multipart("related", [html_part, *(_file_part(a, inline=True) for a in inline)])
    if text is not None and html_part is not None:
        content = _multipart("alternative", [_text_part(text, "plain"), html_part])
    else:
        content = html_part or _text_part(text or "", "plain")
    if files:
        content = _multipart("mixed", [content, *(_file_part(a, inline=False) for a in files)])
    return content


def _text_part(text: str, subtype: str) -> _Part:
    raw = _NEWLINES.sub("\r\n", text).encode("utf-8")
    if raw.isascii() and all(len(line) <= _MAX_7BIT_LINE for line in raw.split(CRLF)):
        encoding, content = "7bit", raw
    else:
        encoding = "quoted-printable"
        content = binascii.b2a_qp(raw.replace(CRLF, b"\n")).replace(b"\n", CRLF)
    return _Part([("Content-Type", f'text/{subtype}; charset="utf-8"'),
                  ("Content-Transfer-Encoding", encoding)], content + CRLF)


def _file_part(item: dict[str, Any], *, inline: bool) -> _Part:
    content_type = item.get("content_type") or "application/octet-stream"
    filename = _parameter("filename", item["filename"])
    headers = [("Content-Type", f"{content_type}; {_parameter('name', item['filename'])}"),
               ("Content-Transfer-Encoding", "base64"),
               ("Content-Disposition", f"{'inline' if inline else 'attachment'}; {filename}")]
    if inline:
        headers.append(("Content-ID", f"<{item['content_id'].strip('<>')}>"))
    encoded = base64.encodebytes(item["content"]).replace(b"\n", CRLF)
    return _Part(headers, encoded)


def _multipart(subtype: str, parts: list[_Part]) -> _Part:
    rendered = [part.to_bytes() for part in parts]
    # A fixed boundary per kind of part lets every parser reuse its compiled pattern (the stdlib
    # compiles one per boundary); a random one is used in the rare case the text contains it.
    boundary = f"=_gclap_{subtype}_part"
    if any(boundary.encode() in chunk for chunk in rendered):
        boundary = "=_gclap_" + secrets.token_hex(12)
    delimiter = b"--" + boundary.encode()
    content = b"".join(delimiter + CRLF + chunk + CRLF for chunk in rendered) + delimiter + b"--" + CRLF
    return _Part([("Content-Type", f'multipart/{subtype}; boundary="{boundary}"')], content)


def _header_block(headers: list[tuple[str, str]]) -> bytes:
    return b"".join(f"{name}: {value}".encode("utf-8") + CRLF for name, value in headers)


def _text_header(value: str) -> str:
    """ASCII short enough stays as is; anything else becomes folded RFC 2047 encoded words."""
    if value.isascii() and len(value) <= 900:
        return value
    return Header(value, "utf-8", header_name="Subject").encode(linesep="\r\n")


def _address_list(values: list[str]) -> str:
    rendered = []
    for value in values:
        name, address = normalize_address(value) or ("", value)
        if not name:
            rendered.append(address)
        elif name.isascii():
            rendered.append(f"{_quote_name(name)} <{address}>")
        else:
            rendered.append(f"{Header(name, 'utf-8').encode()} <{address}>")
    return ", ".join(rendered)


def _quote_name(name: str) -> str:
    if any(ch in name for ch in '()<>[]:;@\\,."'):
        return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return name


def _parameter(key: str, value: str) -> str:
    """A MIME parameter; non-ASCII values use RFC 2231 (`key*=utf-8''...`)."""
    if value.isascii():
        return f'{key}="' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return f"{key}*=utf-8''{quote(value, safe='')}"


# --- replacing one part's body (tracking writes the delivered version this way) -----------

def with_html_body(raw: bytes, span: Span, part: Message, html: str) -> bytes | None:
    """`raw` with the HTML part at `span` holding `html` instead, re-encoded in the part's own
    charset and, where it still fits, its own transfer encoding; every other byte is kept.
    None when that cannot be done faithfully (an unknown charset, no blank line after the
    part's headers)."""
    newline = newline_of(raw)
    head = raw[span.start:span.body]
    if not (head.endswith(newline + newline) or head == newline):
        return None
    try:
        data = html.encode(part.get_content_charset() or "utf-8", "xmlcharrefreplace")
    except LookupError:
        return None
    encoding, body = _encode_body(data, str(part.get("content-transfer-encoding") or "").strip().lower(), newline)
    fields = without_headers(head, ("content-transfer-encoding",))
    fields = fields[:-len(newline)] + f"Content-Transfer-Encoding: {encoding}".encode() + newline + newline
    return raw[:span.start] + fields + body + raw[span.end:]


def _encode_body(data: bytes, original: str, newline: bytes) -> tuple[str, bytes]:
    if original == "base64":
        return "base64", base64.encodebytes(data).replace(b"\n", newline).removesuffix(newline)
    lines = _NEWLINE_BYTES.sub(b"\n", data)
    if all(len(line) <= _MAX_7BIT_LINE for line in lines.split(b"\n")):
        if lines.isascii():
            return "7bit", lines.replace(b"\n", newline)
        if original in ("8bit", "binary"):
            return "8bit", lines.replace(b"\n", newline)
    return "quoted-printable", binascii.b2a_qp(lines).replace(b"\n", newline)
