"""Header fields of captured mail: read them as text, and edit a header block as bytes.

Reading goes through the fast compat32 parser's `raw_items()` and decodes explicitly: RFC
2047 encoded words, and raw UTF-8 (SMTPUTF8 mail, which compat32 would turn into U+FFFD).
Editing works on the bytes, so everything not named is kept exactly as it was.
"""
from __future__ import annotations

import re
from email import policy
from email.header import decode_header, make_header
from email.message import Message
from email.parser import BytesParser

PARSER = BytesParser(policy=policy.compat32)
_FIELD_NAME = re.compile(rb"^([!-9;-~]+)[ \t]*:")
_HEAD_END = b"\r\n\r\n"
# A header block that names a type the parser splits into parts: parsed whole at once.
_PARTS_TYPE = re.compile(rb"^content-type:\s*(?:multipart|message)/", re.IGNORECASE | re.MULTILINE)


def parse_bytes(raw: bytes) -> Message:
    """`PARSER.parsebytes(raw)`, the same object, with a shortcut for a message that is one part:
    the parser reads only its header block and the body becomes the payload as it is, which is
    what the parser would make of it line by line (most of a long stream's parsing time)."""
    end = raw.find(_HEAD_END)
    if end < 0 or _PARTS_TYPE.search(raw, 0, end + 2):
        return PARSER.parsebytes(raw)
    head = PARSER.parsebytes(raw[:end + len(_HEAD_END)])
    # The header block must end where we cut it (no earlier blank or stray line, which would
    # leave a payload), and the body must be one the parser keeps whole.
    if head.get_payload() or head.defects or head.get_content_maintype() in ("multipart", "message"):
        return PARSER.parsebytes(raw)
    head.set_payload(raw[end + len(_HEAD_END):].decode("ascii", "surrogateescape"))
    return head


def unescape_utf8(value: str) -> str:
    """Raw 8-bit header bytes (SMTPUTF8) reach us as surrogate escapes; decode them as UTF-8."""
    try:
        value.encode("utf-8")
        return value
    except UnicodeEncodeError:
        return value.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def raw_headers(msg: Message, name: str) -> list[str]:
    """Header values as stored (compat32 would wrap 8-bit ones in lossy Header objects)."""
    name = name.lower()
    return [str(value) for key, value in msg.raw_items() if key.lower() == name]


def raw_header(msg: Message, name: str) -> str | None:
    values = raw_headers(msg, name)
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


def headers_of(msg: Message) -> list[dict[str, str]]:
    """Every header of a (parsed) message or part in order, decoded, as [{name, value}]."""
    return [{"name": unescape_utf8(name), "value": " ".join(decode_header_value(value).split())}
            for name, value in msg.raw_items()]


def header_list(raw: bytes) -> list[dict[str, str]]:
    """Every top-level header of `raw` in order, decoded, as [{name, value}]."""
    return headers_of(PARSER.parsebytes(raw, headersonly=True))


# --- the header block as bytes ----------------------------------------------------------

def newline_of(raw: bytes) -> bytes:
    """The line ending a message uses (CRLF on the wire; some local tools write LF)."""
    return b"\r\n" if b"\r\n" in raw[:4096] else b"\n"


def _split(raw: bytes) -> tuple[bytes, bytes, bytes, bytes]:
    """(newline, header block, separator, body); no separator when there is no blank line."""
    newline = newline_of(raw)
    if raw.startswith(newline):  # no header fields at all
        return newline, b"", newline, raw[len(newline):]
    head, sep, body = raw.partition(newline + newline)
    return newline, head, (newline + newline if sep else b""), body


def _fields(head: bytes, newline: bytes) -> list[tuple[bytes | None, list[bytes]]]:
    """The header block as (lower-cased name, its lines) fields; folded lines stay with theirs."""
    fields: list[tuple[bytes | None, list[bytes]]] = []
    for line in head.split(newline) if head else []:
        if line[:1] in (b" ", b"\t") and fields:
            fields[-1][1].append(line)
            continue
        match = _FIELD_NAME.match(line)
        fields.append((match.group(1).lower() if match else None, [line]))
    return fields


def without_headers(raw: bytes, names: tuple[str, ...]) -> bytes:
    """`raw` with the named top-level header fields (and their folded lines) taken out."""
    newline, head, sep, body = _split(raw)
    if not sep:
        return raw
    wanted = {name.lower().encode() for name in names}
    kept = [line for name, lines in _fields(head, newline) if name not in wanted for line in lines]
    return newline.join(kept) + (sep if kept else newline) + body


def filled_headers(raw: bytes) -> set[str]:
    """Lower-cased names of the top-level header fields that have a (non-blank) value."""
    newline, head, sep, _ = _split(raw)
    filled = set()
    for name, lines in _fields(head if sep else b"", newline):
        value = b"".join(lines).partition(b":")[2]
        if name is not None and value.strip():
            filled.add(name.decode("ascii"))
    return filled


def with_headers_first(raw: bytes, fields: list[tuple[str, str]]) -> bytes:
    """`raw` with header fields put in front of its own, in its own line ending."""
    if not fields:
        return raw
    newline = newline_of(raw)
    block = b"".join(f"{name}: {value}".encode("utf-8") + newline for name, value in fields)
    return block + raw
