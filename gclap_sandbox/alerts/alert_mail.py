"""The alert email: a plain-text and HTML message written by the sandbox itself (pure).

It reaches the inbox through the capture pipeline as sandbox mail (`lifecycle=False`, like a
bounce report): no delivery steps, no events, no quota, no relay.
"""
from __future__ import annotations

from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime
from html import escape
from typing import Any

from gclap_sandbox.alerts import wording
from gclap_sandbox.analytics.metrics import Metric
from gclap_sandbox.mail import message as mail
from gclap_sandbox.pipeline.incoming import Incoming
from gclap_sandbox.schema import normalize_address

SENDER_DOMAIN = "gclap-sandbox.test"
SENDER = f"gclap-sandbox alerts <alerts@{SENDER_DOMAIN}>"


def subject(data: dict[str, Any]) -> str:
    name = " ".join(data["name"].splitlines())  # a name may hold U+2028 and kin: a header is one line
    if data["test"]:
        return f"[Test] Alert: {name}"
    return f"{'Resolved' if data['state'] == 'resolved' else 'Triggered'}: {name}"


def _facts(data: dict[str, Any], metric: Metric) -> list[tuple[str, str]]:
    facts = [("Alert", data["name"]), ("State", f"{data['previous_state']} -> {data['state']}"),
             ("Metric", metric.label), ("Condition", wording.condition_text(data["metric"], data["condition"])),
             ("Measured", wording.measured_text(metric, data["value"], data["count"], data["volume"])),
             ("Window", f"{data['window']} ({data['window_start']} to {data['window_end']})")]
    filters = ", ".join(f"{name.replace('_', ' ')} {value}" for name, value in (data["filters"] or {}).items())
    if filters:
        facts.append(("Filters", filters))
    if data.get("baseline"):
        baseline = data["baseline"]
        facts.append(("Baseline", f"mean {wording.value_text(metric, baseline['mean'])}, standard deviation "
                                  f"{wording.value_text(metric, baseline['stddev'])} over {baseline['windows']} windows"))
    facts.append(("Config id", data["alert_config_id"]))
    return facts


def build(body: dict[str, Any], metric: Metric, recipients: list[str], when: datetime) -> EmailMessage:
    data = body["data"]
    facts = _facts(data, metric)
    message = EmailMessage(policy=mail.WIRE)
    message["From"] = SENDER
    message["To"] = ", ".join(recipients)
    message["Subject"] = subject(data)
    message["Date"] = format_datetime(when)
    message["Message-ID"] = mail.new_message_id(SENDER_DOMAIN)
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: a machine wrote it; do not answer it
    note = "This is a test of the alert's channels; nothing was recorded.\n\n" if data["test"] else ""
    message.set_content(f"{data['summary']}\n\n{note}"
                        + "".join(f"{label}: {value}\n" for label, value in facts)
                        + f"\nEvent: {body['type']} at {body['timestamp']}\n")
    rows = "".join(f"<tr><th align=\"left\" style=\"padding:4px 12px 4px 0\">{escape(label)}</th>"
                   f"<td style=\"padding:4px 0\">{escape(value)}</td></tr>" for label, value in facts)
    message.add_alternative(
        f"<!doctype html><html><body style=\"font-family:sans-serif\"><h1 style=\"font-size:18px\">"
        f"{escape(subject(data))}</h1><p>{escape(data['summary'])}</p>"
        + (f"<p><em>{escape(note.strip())}</em></p>" if note else "")
        + f"<table>{rows}</table></body></html>", subtype="html")
    return message


def incoming(organization_id: str, body: dict[str, Any], metric: Metric, recipients: list[str],
             when: datetime) -> Incoming:
    addresses = [pair[1] for pair in map(normalize_address, recipients) if pair is not None]
    data = body["data"]
    return Incoming(raw=build(body, metric, recipients, when).as_bytes(), source="api",
                    organization_id=organization_id, envelope_from=f"alerts@{SENDER_DOMAIN}",
                    envelope_to=addresses, lifecycle=False,
                    metadata={"alert_config_id": data["alert_config_id"], "alert_state": data["state"],
                              "alert_test": data["test"]})
