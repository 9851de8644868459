"""`parse_bytes` takes a shortcut for one-part messages; it must build exactly the object the
standard parser builds from the same bytes, whatever the bytes are."""
from __future__ import annotations

from email.message import Message

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gclap_sandbox.mail.headers import PARSER, parse_bytes


def anatomy(msg: Message) -> object:
    """Everything the parser sets on a message and its parts, as plain values."""
    payload = msg._payload  # type: ignore[attr-defined]
    return {
        "headers": list(msg._headers),  # type: ignore[attr-defined]
        "unixfrom": msg._unixfrom,  # type: ignore[attr-defined]
        "charset": str(msg._charset),  # type: ignore[attr-defined]
        "default_type": msg._default_type,  # type: ignore[attr-defined]
        "preamble": msg.preamble, "epilogue": msg.epilogue,
        "defects": [type(d).__name__ for d in msg.defects],
        "payload": [anatomy(p) for p in payload] if isinstance(payload, list) else payload,
    }


def same_as_the_parser(raw: bytes) -> None:
    assert anatomy(parse_bytes(raw)) == anatomy(PARSER.parsebytes(raw))


NAMED = {
    "plain": b"From: a@example.com\r\nSubject: Hi\r\n\r\nHello\r\n.. dots kept\r\n",
    "no body": b"Subject: Hi\r\n\r\n",
    "no blank line": b"Subject: Hi\r\nTo: b@example.com\r\n",
    "empty": b"",
    "bare line feeds": b"Subject: Hi\n\nHello\r\n\r\nagain\n",
    "a blank line of bare CR before the CRLF one": b"Subject: Hi\r\r\nX: y\r\n\r\nbody\r\n",
    "a line that is no header": b"Subject: Hi\r\nnot a header\r\nX: y\r\n\r\nbody\r\n",
    "a continuation line": b"Subject: Hi\r\n there\r\n\r\nbody\r\n",
    "unix from line": b"From someone Tue Dec  1 06:00:00 2026\r\nSubject: Hi\r\n\r\nbody\r\n",
    "8-bit header and body": "Subject: Grüße\r\n\r\nÄpfel\r\n".encode("utf-8"),
    "multipart": (b"Content-Type: multipart/alternative; boundary=b\r\n\r\npre\r\n--b\r\n"
                  b"Content-Type: text/plain\r\n\r\nx\r\n--b\r\nContent-Type: text/html\r\n\r\n<p>x</p>\r\n--b--\r\n"),
    "a message inside": b"Content-Type: message/rfc822\r\n\r\nSubject: inner\r\n\r\ninner body\r\n",
    "delivery status": b"Content-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; x\r\n\r\nAction: failed\r\n",
    "broken content type": b"Content-Type: multipart\r\n\r\nbody\r\n",
    "a folded multipart type": b"content-type:\r\n Multipart/Mixed; boundary=q\r\n\r\n--q\r\n\r\nx\r\n--q--\r\n",
    "html one part": b"Content-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\nPHA+eDwvcD4=\r\n",
}


@pytest.mark.parametrize("raw", NAMED.values(), ids=NAMED.keys())
def test_named_shapes_parse_as_the_standard_parser_parses_them(raw):
    same_as_the_parser(raw)


PIECES = st.sampled_from([
    b"\r\n", b"\n", b"\r", b"\r\n\r\n", b":", b" ", b"\t", b"Subject: x", b"From: a@b", b"From x",
    b"X-Y: z", b"no colon", b"Content-Type: multipart/mixed; boundary=q", b"Content-Type: message/rfc822",
    b"Content-Type: text/plain", b"--q", b"--q--", b"body", b"\xff\xfe", b"\x0c", b".",
])


@settings(max_examples=400, deadline=None)
@given(st.lists(PIECES, max_size=24).map(b"".join))
def test_any_bytes_parse_as_the_standard_parser_parses_them(raw):
    same_as_the_parser(raw)
