"""The `text` and `html` an integration reads back are the bodies it sent: exactly, for the
API; for SMTP, the decoded parts with CRLF line endings given as LF (and nothing else)."""
from __future__ import annotations

import base64
import smtplib

import pytest
from helpers import emails_to


@pytest.mark.parametrize("text", ["hi\nthere\n", "no newline", "windows\r\nline\r\n", "  spaced  \n\n\n", "é ☃ \U0001f680"])
def test_api_text_comes_back_exactly_as_sent(api, unique, text):
    to = f"body-{unique}@example.com"
    sent = api.post("/api/v1/emails/send/", json={"to": to, "subject": "body", "text": text})
    assert sent.status_code == 202, sent.text
    email = api.get(f"/api/v1/emails/{sent.json()['id']}/").json()
    assert email["text"] == text and email["html"] is None


def test_api_html_and_text_come_back_exactly_as_sent(api, unique):
    html, text = "<p>Hello</p>\n<p>Bye</p>", "Hello\nBye"
    sent = api.post("/api/v1/emails/send/", json={"to": f"both-{unique}@example.com", "subject": "both",
                                                 "html": html, "text": text})
    email = api.get(f"/api/v1/emails/{sent.json()['id']}/").json()
    assert (email["text"], email["html"]) == (text, html)
    # On the wire the parts use CRLF, as MIME requires; the source shows what was sent.
    assert b"Hello\r\nBye\r\n" in api.get(email["raw_url"]).content


def test_smtp_bodies_are_decoded_with_lf_line_endings_and_nothing_else_changed(sandbox, api, unique):
    to = f"smtp-body-{unique}@example.com"
    html = "<p>Ol\u00e1</p>\r\n<p>two</p>"
    raw = (f"From: app@example.com\r\nTo: {to}\r\nSubject: bodies\r\nMIME-Version: 1.0\r\n"
           "Content-Type: multipart/alternative; boundary=\"alt\"\r\n\r\n"
           "--alt\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nline one\r\nline two  \r\n\r\n"
           "--alt\r\nContent-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n"
           f"{base64.b64encode(html.encode()).decode()}\r\n--alt--\r\n").encode()
    with smtplib.SMTP(sandbox.smtp_host, sandbox.smtp_port) as smtp:
        smtp.sendmail("app@example.com", [to], raw)
    [summary] = emails_to(api, to)
    email = api.get(f"/api/v1/emails/{summary['id']}/").json()
    assert email["text"] == "line one\nline two  \n"  # trailing spaces and the last newline kept
    assert email["html"] == "<p>Ol\u00e1</p>\n<p>two</p>"  # base64 content: CRLF inside given as LF too
    assert api.get(email["raw_url"]).content == raw
