"""Helpers shared by the web UI tests: sending mail and reading a page's CSRF token."""
from __future__ import annotations

import base64
import re
import smtplib
from email.message import EmailMessage

import httpx

# A 2x2 red PNG: small enough to inline, real enough for a browser to decode.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAFklEQVR4nGP8z8DAwMDAxMDAwMDAAAANHQEDasKb6QAAAABJRU5ErkJggg==")


def csrf_token(client: httpx.Client, path: str = "/") -> str:
    page = client.get(path)
    match = re.search(r'<meta name="csrf-token" content="([^"]+)"', page.text)
    assert match, page.text[:500]
    return match.group(1)


def send_smtp(sandbox, subject: str, to: str = "someone@example.com", sender: str = "Ana <ana@example.com>",
              text: str = "Hello over SMTP.", html: str | None = None) -> None:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = sender, to, subject
    msg.set_content(text)
    if html is not None:
        msg.add_alternative(html, subtype="html")
    with smtplib.SMTP(sandbox.smtp_host, sandbox.smtp_port) as smtp:
        smtp.send_message(msg)


def send_api(api: httpx.Client, **fields) -> dict:
    body = {"to": "someone@example.com", "subject": "Hello", "text": "Hello.", **fields}
    response = api.post("/api/v1/emails/send/", json=body)
    assert response.status_code == 202, response.text
    return response.json()


def rich_email(api: httpx.Client, subject: str, **extra) -> dict:
    """An email with HTML, text, an inline cid image and a file attachment."""
    fields = dict(
        subject=subject, from_email="Billing Team <billing@shop.example>",
        to=["Ana Lima <ana@example.com>"], cc=["ops@example.com"], tags=["receipt", "billing"],
        html=('<html><head><style>h1{color:#4338ca;font-family:sans-serif}</style></head><body>'
              '<h1 id="greeting">Thanks for your order</h1><p>Your receipt is attached. '
              '<a href="https://shop.example/orders/42">View order</a></p>'
              '<img id="logo" alt="logo" width="40" height="40" src="cid:logo@shop"></body></html>'),
        text="Thanks for your order.\nView it at https://shop.example/orders/42",
        attachments=[
            {"filename": "logo.png", "content": base64.b64encode(PNG).decode(), "content_type": "image/png",
             "content_id": "logo@shop"},
            {"filename": "receipt.txt", "content": base64.b64encode(b"Order 42: 3 items").decode(),
             "content_type": "text/plain"},
        ],
    )
    return send_api(api, **{**fields, **extra})
