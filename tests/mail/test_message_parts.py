"""Parts that carry a message (message/rfc822, message/delivery-status, text/rfc822-headers)
are listed as what they are, with what they carry, and download as the bytes received."""
from __future__ import annotations

import smtplib
from email import policy
from email.message import EmailMessage

import httpx
from helpers import emails_to
from lifecycle_helpers import advance


def _smtp(sandbox, sender: str, to: str, raw: bytes) -> None:
    with smtplib.SMTP(sandbox.smtp_host, sandbox.smtp_port) as smtp:
        smtp.sendmail(sender, [to], raw)


def _detail(api: httpx.Client, email_id: str) -> dict:
    return api.get(f"/api/v1/emails/{email_id}/").json()


def test_a_hard_bounce_report_lists_its_delivery_status_and_the_undelivered_headers(own_sandbox, unique):
    sender, gone = f"app-{unique}@shop.example", f"bounced+{unique}@simulator.gclap.test"
    # Sent without a Message-ID: the report must carry the one the sandbox gave it.
    _smtp(own_sandbox, sender, gone, f"From: {sender}\r\nTo: {gone}\r\nSubject: Order {unique}\r\n\r\nHi\r\n".encode())
    with own_sandbox.client() as api:
        [original] = emails_to(api, gone)
        advance(api, seconds=5)
        [report] = emails_to(api, sender)
        email = _detail(api, report["id"])
        parts = {a["content_type"]: a for a in email["attachments"]}
        assert sorted(parts) == ["message/delivery-status", "text/rfc822-headers"]  # no nameless 0 B parts
        assert email["text"].startswith("This is the mail system at gclap-sandbox.test.")

        status = parts["message/delivery-status"]
        assert status["description"] == "Delivery report" and status["size"] > 100
        assert status["delivery_status"]["message"]["Reporting-MTA"] == "dns; gclap-sandbox.test"
        [recipient] = status["delivery_status"]["recipients"]
        assert recipient["Final-Recipient"] == f"rfc822; {gone}"
        assert (recipient["Action"], recipient["Status"]) == ("failed", "5.1.1")
        assert recipient["Diagnostic-Code"].startswith("smtp; 550 5.1.1")
        assert status["headers"] is None
        download = api.get(status["download_url"])
        assert download.headers["content-type"].startswith("message/delivery-status")
        assert download.content in api.get(email["raw_url"]).content and b"Final-Recipient: rfc822; " in download.content
        assert 'filename="delivery-status.txt"' in download.headers["content-disposition"]

        headers = parts["text/rfc822-headers"]
        carried = {h["name"]: h["value"] for h in headers["headers"]}
        assert carried["Subject"] == f"Order {unique}" and carried["Message-ID"] == original["message_id"]
        assert headers["delivery_status"] is None


def test_a_forwarded_message_is_one_part_downloaded_byte_for_byte(sandbox, api, unique):
    to = f"fwd-{unique}@example.com"
    inner = EmailMessage()
    inner["From"], inner["Subject"] = "Bea <bea@old.example>", f"Original {unique}"
    inner.set_content("The original text.")
    inner.add_alternative("<p id='inner'>The original HTML.</p>", subtype="html")
    inner.add_attachment(b"%PDF-1.4 inner", maintype="application", subtype="pdf", filename="inner.pdf")
    outer = EmailMessage()
    outer["From"], outer["To"], outer["Subject"] = "ana@example.com", to, "Fwd: original"
    outer.set_content("See the message below.")
    outer.add_attachment(inner)
    raw = outer.as_bytes(policy=policy.SMTP)
    inner_bytes = inner.as_bytes(policy=policy.SMTP)
    assert inner_bytes in raw
    _smtp(sandbox, "ana@example.com", to, raw)

    [summary] = emails_to(api, to)
    email = _detail(api, summary["id"])
    assert email["text"] == "See the message below.\n"
    assert email["html"] is None  # the forwarded message's HTML is not this email's body
    [part] = email["attachments"]  # its own parts (inner.pdf) belong to it, not listed here
    assert part["content_type"] == "message/rfc822" and part["size"] == len(inner_bytes)
    assert {h["name"]: h["value"] for h in part["headers"]}["Subject"] == f"Original {unique}"
    download = api.get(part["download_url"])
    assert download.content == inner_bytes
    assert 'filename="message.eml"' in download.headers["content-disposition"]
    assert summary["attachment_count"] == 1


def test_the_email_page_shows_a_bounce_report_as_one(own_sandbox, unique):
    sender, gone = f"page-{unique}@shop.example", f"bounced+p{unique}@simulator.gclap.test"
    with own_sandbox.client() as api:
        api.post("/api/v1/emails/send/", json={"to": gone, "from_email": sender, "subject": "Hi", "text": "x"})
        advance(api, seconds=5)
        [report] = emails_to(api, sender)
    with httpx.Client(base_url=own_sandbox.extra["listen_url"]) as ui:
        page = ui.get(f"/emails/{report['id']}").text
    assert "Delivery report" in page and "Undelivered message headers" in page
    assert "Final-Recipient" in page and f"rfc822; {gone}" in page and "5.1.1" in page
    assert "0 B" not in page and ">attachment<" not in page
