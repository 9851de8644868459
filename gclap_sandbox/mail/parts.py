"""The parts of a captured message: which ones a reader sees, what each is, and its exact bytes.

A part is addressed by its position in `Message.walk()` order (what attachment rows store).
`leaves()` lists the parts a mail client shows: every non-multipart part, where a `message/*`
part (a forwarded message/rfc822, a bounce's message/delivery-status) is one part, not a
tree to descend into. `part_spans()` finds where each part sits in the raw bytes by following
the MIME boundaries as the stdlib parser does, so a part can be returned (or rewritten)
byte for byte.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from email.message import Message
from email.utils import collapse_rfc2231_value
from itertools import count
from typing import Any, Iterator

from gclap_sandbox.mail.headers import (
    PARSER,
    decode_header_value,
    headers_of,
    raw_header,
    unescape_utf8,
)

# Parts that carry a message or its headers, shown as such rather than as a file.
HEADER_PARTS = ("message/rfc822", "message/global", "text/rfc822-headers", "message/global-headers")
STATUS_PARTS = ("message/delivery-status", "message/global-delivery-status")
# Download names for parts sent without one.
DEFAULT_NAMES = {"message/rfc822": "message.eml", "message/global": "message.eml",
                 "message/delivery-status": "delivery-status.txt",
                 "message/global-delivery-status": "delivery-status.txt",
                 "text/rfc822-headers": "headers.txt", "message/global-headers": "headers.txt"}
# A header line as the stdlib's feedparser recognises one (anything else starts the body).
_HEADER_LINE = re.compile(rb"^(From |[\041-\071\073-\176]*:|[\t ])")


@dataclass(frozen=True)
class Span:
    start: int  # first byte of the part's header block
    body: int  # first byte of its body
    end: int  # one past its last body byte (the newline before a boundary is the boundary's)


def is_message_part(part: Message) -> bool:
    return part.get_content_maintype() == "message" or part.get_content_type() in HEADER_PARTS


def leaves(msg: Message) -> Iterator[tuple[int, Message]]:
    """(walk position, part) of every part a reader sees, in order."""
    inside_message: set[int] = set()
    for position, part in enumerate(msg.walk()):
        if id(part) in inside_message:
            continue
        if part.get_content_maintype() == "message":
            inside_message.update(id(sub) for sub in part.walk() if sub is not part)
            yield position, part
        elif not part.is_multipart():
            yield position, part


def part_at(msg: Message, position: int) -> Message | None:
    for index, part in enumerate(msg.walk()):
        if index == position:
            return part
    return None


# --- where each part is in the bytes -------------------------------------------------------

def part_spans(raw: bytes, msg: Message) -> dict[int, Span]:
    """Walk position -> span in `raw`, for every part whose place the boundaries tell."""
    spans: dict[int, Span] = {}
    positions = count()

    def skip(part: Message) -> None:
        for _ in part.walk():
            next(positions)

    def visit(part: Message, start: int, end: int) -> None:
        body = _body_start(raw, start, end)
        spans[next(positions)] = Span(start, body, end)
        if not part.is_multipart():
            return
        children = part.get_payload()
        if part.get_content_maintype() == "multipart":
            regions = _boundary_regions(raw, body, end, part.get_boundary())
        elif part.get_content_type() not in STATUS_PARTS and len(children) == 1:
            regions = [(body, end)]  # message/rfc822: the whole body is the enclosed message
        else:
            regions = []  # status blocks have no bytes of their own worth addressing
        for index, child in enumerate(children):
            if index < len(regions):
                visit(child, *regions[index])
            else:
                skip(child)

    visit(msg, 0, len(raw))
    return spans


def _body_start(raw: bytes, start: int, end: int) -> int:
    pos = start
    while pos < end:
        newline = raw.find(b"\n", pos, end)
        line_end = end if newline == -1 else newline + 1
        line = raw[pos:line_end]
        if line in (b"\r\n", b"\n"):
            return line_end
        if not _HEADER_LINE.match(line):  # no blank line: the body starts here
            return pos
        pos = line_end
    return end


def _boundary_regions(raw: bytes, body: int, end: int, boundary: str | None) -> list[tuple[int, int]]:
    """The (start, end) of each part between the delimiter lines of a multipart body."""
    if not boundary:
        return []
    delimiter = re.compile(rb"^--" + re.escape(boundary.encode("utf-8", "surrogateescape"))
                           + rb"(--)?[ \t]*(\r\n|\r|\n|$)", re.M)
    regions: list[tuple[int, int]] = []
    part_start: int | None = None
    for match in delimiter.finditer(raw, body, end):
        if part_start is not None:
            regions.append((part_start, _before_newline(raw, match.start(), part_start)))
        if match.group(1):  # the close delimiter: the rest is epilogue
            return regions
        part_start = match.end()
    if part_start is not None:  # no close delimiter: the last part runs to the end
        regions.append((part_start, end))
    return regions


def _before_newline(raw: bytes, at: int, floor: int) -> int:
    if at - 2 >= floor and raw[at - 2:at] == b"\r\n":
        return at - 2
    if at - 1 >= floor and raw[at - 1:at] in (b"\n", b"\r"):
        return at - 1
    return at


# --- what a part is ------------------------------------------------------------------------

def filename(part: Message) -> str | None:
    """The part's file name: Content-Disposition `filename`, else Content-Type `name`, as the
    sender wrote it (raw UTF-8, RFC 2231 `filename*=`, or RFC 2047 encoded words)."""
    for header, param in (("content-disposition", "filename"), ("content-type", "name")):
        value = raw_header(part, header)
        if value is None:
            continue
        holder = Message()  # parameters parsed from the UTF-8 text, not compat32's lossy view
        holder[header] = unescape_utf8(value)
        try:
            found = holder.get_param(param, header=header)
        except Exception:  # a malformed parameter list: no name rather than a crash
            continue
        if found:
            name = collapse_rfc2231_value(found) if isinstance(found, tuple) else str(found)
            return decode_header_value(name) or None
    return None


def description(part: Message) -> str | None:
    value = raw_header(part, "content-description")
    if value is None:
        return None
    return " ".join(decode_header_value(value).split()) or None


def details(raw: bytes, part: Message, span: Span | None) -> dict[str, Any] | None:
    """What a message part carries: the headers of an enclosed message (message/rfc822,
    text/rfc822-headers), or the fields of a delivery status (RFC 3464)."""
    kind = part.get_content_type()
    if kind in STATUS_PARTS:
        blocks = _status_blocks(raw[span.body:span.end]) if span else list(_payload_blocks(part))
        fields = [{h["name"]: h["value"] for h in headers_of(block)} for block in blocks]
        fields = [f for f in fields if f]
        return {"delivery_status": {"message": fields[0] if fields else {}, "recipients": fields[1:]}}
    if kind not in HEADER_PARTS:
        return None
    if part.get_content_maintype() != "message":  # text/rfc822-headers: text, maybe encoded
        enclosed = PARSER.parsebytes(decoded(part), headersonly=True)
    elif span is not None:
        enclosed = PARSER.parsebytes(raw[span.body:span.end], headersonly=True)
    elif part.is_multipart():
        enclosed = part.get_payload(0)
    else:
        return None
    return {"headers": headers_of(enclosed)}


def _status_blocks(body: bytes) -> list[Message]:
    text = body.replace(b"\r\n", b"\n")
    return [PARSER.parsebytes(block.strip(b"\n") + b"\n", headersonly=True)
            for block in re.split(rb"\n[ \t]*\n", text) if block.strip()]


def _payload_blocks(part: Message) -> Iterator[Message]:
    payload = part.get_payload()
    if isinstance(payload, list):
        yield from (block for block in payload if isinstance(block, Message))


def decoded(part: Message) -> bytes:
    """A leaf part's content with its transfer encoding undone (empty when unreadable)."""
    try:
        payload = part.get_payload(decode=True)
    except Exception:  # a broken transfer encoding
        payload = None
    return payload if isinstance(payload, bytes) else b""


def content(raw: bytes, msg: Message, position: int) -> tuple[Message | None, bytes]:
    """The part at `position` and its content: decoded for ordinary parts, the exact bytes
    received for message/* parts (the enclosed message, or the delivery status)."""
    part = part_at(msg, position)
    if part is None:
        return None, b""
    if not part.is_multipart():
        return part, decoded(part)
    span = part_spans(raw, msg).get(position)  # message/*: the stdlib parsed its body into a tree
    if span is not None:
        return part, raw[span.body:span.end]
    try:  # boundaries out of step with the parse: the closest we can regenerate
        return part, b"".join(p.as_bytes() for p in _payload_blocks(part))
    except Exception:
        return part, b""
