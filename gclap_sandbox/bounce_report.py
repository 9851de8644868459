"""RFC 3464 delivery status notifications: a hard bounce drops one into the inbox.

`build_report()` is pure (stdlib `email`); `on_event()` is an events transaction hook that
stores the report, addressed to the original sender, as a mail server would return it.
"""
from __future__ import annotations

from datetime import datetime
from email.message import EmailMessage, Message
from email.utils import format_datetime
from typing import Any

from gclap_sandbox import mail
from gclap_sandbox.models import EmailContent, Event

REPORTING_MTA = "gclap-sandbox.test"
MAILER_DAEMON = f"Mail Delivery System <MAILER-DAEMON@{REPORTING_MTA}>"


def build_report(*, sender: str, recipient: str, original_raw: bytes, smtp_code: int,
                 enhanced_code: str, reason: str, arrival: datetime, bounced_at: datetime) -> EmailMessage:
    """A multipart/report; report-type=delivery-status message for one failed recipient."""
    report = EmailMessage(policy=mail.WIRE)
    report["From"] = MAILER_DAEMON
    report["To"] = sender
    report["Subject"] = "Undelivered Mail Returned to Sender"
    report["Date"] = format_datetime(bounced_at)
    report["Message-ID"] = mail.new_message_id(REPORTING_MTA)
    report["Auto-Submitted"] = "auto-replied"
    report.set_content(
        f"This is the mail system at {REPORTING_MTA}.\n\n"
        "Your message could not be delivered to one or more recipients.\n\n"
        f"<{recipient}>: host mx.{recipient.rpartition('@')[2]} said:\n    {reason}\n")
    report.make_mixed()
    report.replace_header("Content-Type", 'multipart/report; report-type="delivery-status"')
    status = EmailMessage(policy=mail.WIRE)
    status.set_payload(
        f"Reporting-MTA: dns; {REPORTING_MTA}\r\n"
        f"Arrival-Date: {format_datetime(arrival)}\r\n"
        "\r\n"
        f"Final-Recipient: rfc822; {recipient}\r\n"
        "Action: failed\r\n"
        f"Status: {enhanced_code}\r\n"
        f"Remote-MTA: dns; mx.{recipient.rpartition('@')[2]}\r\n"
        f"Diagnostic-Code: smtp; {reason}\r\n"
        f"Last-Attempt-Date: {format_datetime(bounced_at)}\r\n")
    status["Content-Type"] = "message/delivery-status"
    status["Content-Description"] = "Delivery report"
    report.attach(status)
    headers = EmailMessage(policy=mail.WIRE)
    header_block = original_raw.split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0]
    headers.set_payload(header_block.decode("utf-8", "replace") + "\r\n")
    headers["Content-Type"] = "text/rfc822-headers"
    headers["Content-Description"] = "Undelivered message headers"
    report.attach(headers)
    return report


def parts_of(report: Message) -> list[str]:
    return [part.get_content_type() for part in report.walk()]


def on_event(event: Event, payload: dict[str, Any]) -> None:
    """events.TRANSACTION_HOOKS entry: a hard bounce returns a report to the sender."""
    if event.type != "email.bounced" or event.data.get("bounce_type") != "hard" or not event.recipient:
        return
    from gclap_sandbox.capture import Incoming, capture_email  # capture imports this module's users

    email = event.email
    sender = email.envelope_from or email.from_address
    if not sender:  # null reverse-path: nobody to tell (RFC 5321 4.5.5)
        return
    content = EmailContent.get(EmailContent.email == email.id)
    report = build_report(
        sender=sender, recipient=event.recipient, original_raw=bytes(content.raw),
        smtp_code=int(event.data.get("smtp_code", 550)),
        enhanced_code=str(event.data.get("enhanced_code", "5.0.0")),
        reason=str(event.data.get("reason", "550 5.0.0 Delivery failed")),
        arrival=email.created_at, bounced_at=event.occurred_at)
    capture_email(Incoming(raw=report.as_bytes(), source="smtp", organization_id=email.organization_id,
                           envelope_from="", envelope_to=[sender], lifecycle=False,
                           metadata={"bounce_report_for": email.id}))
