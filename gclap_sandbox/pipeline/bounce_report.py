"""RFC 3464 delivery status notifications: a hard bounce drops one into the inbox.

`build_report()` is pure (stdlib `email`); `on_event()` is an events transaction hook that
stores the report, addressed to the original sender, as a mail server would return it.
"""
from __future__ import annotations

from datetime import datetime
from email.message import Message
from email.mime.base import MIMEBase
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import format_datetime
from typing import Any

from gclap_sandbox.mail import message as mail
from gclap_sandbox.models import EmailContent, Event
from gclap_sandbox.pipeline import outgoing

REPORTING_MTA = "gclap-sandbox.test"
MAILER_DAEMON = f"Mail Delivery System <MAILER-DAEMON@{REPORTING_MTA}>"


def build_report(*, sender: str, recipient: str, undelivered: bytes, smtp_code: int,
                 enhanced_code: str, reason: str, arrival: datetime, bounced_at: datetime) -> Message:
    """A multipart/report; report-type=delivery-status message for one failed recipient."""
    domain = recipient.rpartition("@")[2]
    report = MIMEMultipart("report", report_type="delivery-status", policy=mail.WIRE)
    report["From"] = MAILER_DAEMON
    report["To"] = sender
    report["Subject"] = "Undelivered Mail Returned to Sender"
    report["Date"] = format_datetime(bounced_at)
    report["Message-ID"] = mail.new_message_id(REPORTING_MTA)
    report["Auto-Submitted"] = "auto-replied"  # RFC 3834: never answer this automatically
    report.attach(MIMEText(
        f"This is the mail system at {REPORTING_MTA}.\n\n"
        "Your message could not be delivered to one or more recipients.\n\n"
        f"<{recipient}>: host mx.{domain} said:\n    {reason}\n", "plain", _charset(reason), policy=mail.WIRE))
    # message/delivery-status is a list of header blocks: per message, then per recipient.
    status = MIMEBase("message", "delivery-status", policy=mail.WIRE)
    status.set_payload([
        _fields({"Reporting-MTA": f"dns; {REPORTING_MTA}", "Arrival-Date": format_datetime(arrival)}),
        _fields({"Final-Recipient": f"rfc822; {recipient}", "Action": "failed", "Status": enhanced_code,
                 "Remote-MTA": f"dns; mx.{domain}", "Diagnostic-Code": f"smtp; {reason}",
                 "Last-Attempt-Date": format_datetime(bounced_at)}),
    ])
    status["Content-Description"] = "Delivery report"
    report.attach(status)
    header_block = undelivered.replace(b"\r\n", b"\n").split(b"\n\n", 1)[0]
    header_text = header_block.decode("utf-8", "replace") + "\n"
    headers = MIMEText(header_text, "rfc822-headers", _charset(header_text), policy=mail.WIRE)
    headers["Content-Description"] = "Undelivered message headers"
    report.attach(headers)
    return report


def _charset(text: str) -> str:
    return "us-ascii" if text.isascii() else "utf-8"


def _fields(values: dict[str, str]) -> Message:
    block = Message(policy=mail.WIRE)
    for name, value in values.items():
        block[name] = value
    return block


def parts_of(report: Message) -> list[str]:
    return [part.get_content_type() for part in report.walk()]


def on_event(event: Event, payload: dict[str, Any]) -> None:
    """On `event_recorded` (server/wiring.py): a hard bounce returns a report to the sender."""
    if event.type != "email.bounced" or event.data.get("bounce_type") != "hard" or not event.recipient:
        return
    from gclap_sandbox.pipeline.capture import capture_email
    from gclap_sandbox.pipeline.incoming import Incoming

    email = event.email
    sender = email.envelope_from or email.from_address
    if not sender:  # null reverse-path: nobody to tell (RFC 5321 4.5.5)
        return
    # The headers the recipient's server was given: with the Message-ID the sender can match.
    delivered = outgoing.delivered_version(email, EmailContent.get(EmailContent.email == email.id))
    report = build_report(
        sender=sender, recipient=event.recipient, undelivered=delivered,
        smtp_code=int(event.data.get("smtp_code", 550)),
        enhanced_code=str(event.data.get("enhanced_code", "5.0.0")),
        reason=str(event.data.get("reason", "550 5.0.0 Delivery failed")),
        arrival=email.created_at, bounced_at=event.occurred_at)
    capture_email(Incoming(raw=report.as_bytes(), source="smtp", organization_id=email.organization_id,
                           envelope_from="", envelope_to=[sender], lifecycle=False,
                           metadata={"bounce_report_for": email.id}))
