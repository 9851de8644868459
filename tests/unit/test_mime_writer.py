"""The API's MIME writer: what it writes parses back to exactly what was sent."""
from __future__ import annotations

import email
from email import policy

from gclap_sandbox.mail import message as mail


def _roundtrip(data: dict) -> email.message.EmailMessage:
    raw = mail.build_raw(data, "<id@test>")
    assert all(len(line) <= 998 for line in raw.split(b"\r\n"))
    assert b"\n" not in raw.replace(b"\r\n", b"")  # CRLF line endings only
    return email.message_from_bytes(raw, policy=policy.default)


def test_plain_ascii_message_is_7bit_and_readable():
    msg = _roundtrip({"to": ["a@example.com"], "subject": "Hi", "text": "line 1\nline 2"})
    assert msg["Subject"] == "Hi" and msg["Message-ID"] == "<id@test>"
    assert msg["Content-Transfer-Encoding"] == "7bit"
    assert msg.get_content() == "line 1\r\nline 2\r\n"


def test_unicode_names_subject_and_long_lines_survive():
    text = "Grüße " + "x" * 3000
    msg = _roundtrip({"to": ["Zoë Ünal <z@example.com>"], "subject": "Ünïcode ✓ " + "y" * 200,
                      "text": text, "from_email": '"Doe, John" <j@example.com>'})
    assert msg["Subject"] == "Ünïcode ✓ " + "y" * 200
    assert msg["To"].addresses[0].display_name == "Zoë Ünal"
    assert msg["From"].addresses[0].display_name == "Doe, John"
    assert msg.get_content().rstrip("\r\n") == text


def test_structure_with_alternative_related_and_mixed():
    msg = _roundtrip({
        "to": ["a@example.com"], "subject": "s", "text": "t", "html": '<img src="cid:logo">',
        "attachments": [{"filename": "résumé.pdf", "content": b"%PDF", "content_type": "application/pdf"},
                        {"filename": "logo.png", "content": b"PNG", "content_type": "image/png",
                         "content_id": "logo"}]})
    assert msg.get_content_type() == "multipart/mixed"
    alternative, pdf = msg.get_payload()
    assert alternative.get_content_type() == "multipart/alternative"
    plain, related = alternative.get_payload()
    assert related.get_content_type() == "multipart/related"
    html, logo = related.get_payload()
    assert logo["Content-ID"] == "<logo>" and logo.get_content() == b"PNG"
    assert pdf.get_filename() == "résumé.pdf" and pdf.get_content() == b"%PDF"


def test_custom_header_values_are_encoded_when_needed():
    msg = _roundtrip({"to": ["a@example.com"], "subject": "s", "text": "t",
                      "headers": {"X-Note": "café", "X-Plain": "ok"}})
    assert msg["X-Note"] == "café" and msg["X-Plain"] == "ok"


def test_a_boundary_never_collides_with_the_content():
    text = "--=_gclap_alternative_part\r\nlooks like a boundary"
    msg = _roundtrip({"to": ["a@example.com"], "subject": "s", "text": text, "html": "<p>x</p>"})
    plain, html = msg.get_payload()
    assert plain.get_content().rstrip("\r\n") == text and html.get_content().strip() == "<p>x</p>"
