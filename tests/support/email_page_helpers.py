"""An email with something for every part of the email page: HTML and text, links and images,
an inline cid image, and attachments of each kind the page previews (image, text, PDF) or
must never run (HTML and SVG carrying script)."""
from __future__ import annotations

import base64
from typing import Any

import httpx
from ui_helpers import PNG

# What an attachment's script would do if it ever ran: mark the document it is in, and the page above.
HOSTILE_SCRIPT = ("document.title = 'SCRIPT RAN'; try { parent.document.body.dataset.pwned = '1'; } catch (e) {}"
                  " try { top.document.body.dataset.pwned = '1'; } catch (e) {}")
HOSTILE_HTML = f"<html><body><h1>Invoice</h1><script>{HOSTILE_SCRIPT}</script></body></html>"
HOSTILE_SVG = (f'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10" onload="{HOSTILE_SCRIPT}">'
               f'<script>{HOSTILE_SCRIPT}</script><rect width="10" height="10"/></svg>')


def tiny_pdf(text: str = "Hello PDF") -> bytes:
    """A valid one-page PDF showing `text` (offsets computed, so viewers open it)."""
    stream = f"BT /F1 24 Tf 20 60 Td ({text}) Tj ET".encode()
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>",
               b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 120] /Contents 4 0 R "
               b"/Resources << /Font << /F1 5 0 R >> >> >>",
               b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def _file(name: str, content: bytes, content_type: str, **extra: Any) -> dict[str, Any]:
    return {"filename": name, "content": base64.b64encode(content).decode(), "content_type": content_type, **extra}


def attachment_email(api: httpx.Client, subject: str, to: str = "ana@example.com") -> dict:
    """Sent through the API; returns the API's answer (with `id`)."""
    response = api.post("/api/v1/emails/send/", json={
        "to": to, "subject": subject, "from_email": "Shop <shop@shop.example>",
        "html": ('<html><body><h1 id="greeting">Your order</h1>'
                 '<p><a href="https://shop.example/orders/42">View your order</a> or '
                 '<a href="http://203.0.113.9/track">track it</a>.</p>'
                 '<img src="cid:logo@shop" alt="Shop logo" width="40" height="40">'
                 '<img src="https://shop.example/banner.png"></body></html>'),
        "text": "Your order: https://shop.example/orders/42\n" + "\n".join(f"Line {n} of the text body"
                                                                          for n in range(1, 121)),
        "attachments": [
            _file("logo.png", PNG, "image/png", content_id="logo@shop"),
            _file("photo.png", PNG, "image/png"),
            _file("notes.txt", "Grüße: three items".encode(), "text/plain"),
            _file("invoice.pdf", tiny_pdf(), "application/pdf"),
            _file("invoice.html", HOSTILE_HTML.encode(), "text/html"),
            _file("badge.svg", HOSTILE_SVG.encode(), "image/svg+xml"),
            _file("archive.zip", b"PK\x05\x06" + bytes(18), "application/zip"),
        ],
    })
    assert response.status_code == 202, response.text
    return response.json()
