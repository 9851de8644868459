"""Recording what happens to a sent email: simulated outcomes (jobs or by hand) and real
opens, clicks and unsubscribes from the tracking routes. All on the DB thread.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from gclap_sandbox.events import record as events
from gclap_sandbox.models import (
    Email,
    EmailContent,
    EmailRecipient,
    Event,
    Job,
    TrackingToken,
)
from gclap_sandbox.pipeline import simulate, tracking
from gclap_sandbox.storage import bulk


def _is_first(email_id: str, recipient: str | None, event_type: str) -> bool:
    return not Event.select().where((Event.email == email_id) & (Event.recipient == recipient)
                                    & (Event.type == event_type)).exists()


def default_click_url(email: Email) -> str | None:
    """The link a simulated click follows when none is given: the first of `clickable_links`."""
    links = clickable_links(email.id)
    return links[0] if links else None


def apply_outcome(email: Email, recipient: str, label: str, *, url: str | None = None,
                  occurred_at: datetime | None = None, recipients: events.Recipients | None = None) -> Event:
    """Record a simulated outcome for one recipient, with its usual data."""
    if label == "clicked" and url is None:
        url = default_click_url(email)
    event_type, data = simulate.outcome_event(label, url)
    return record_engagement(email, event_type, recipient, data, occurred_at, recipients)


def record_engagement(email: Email, event_type: str, recipient: str | None, data: dict[str, Any],
                      occurred_at: datetime | None = None, recipients: events.Recipients | None = None) -> Event:
    """record_event, marking opens and clicks `unique` when they are the recipient's first."""
    if event_type in (events.OPENED, events.CLICKED):
        data = {**data, "unique": _is_first(email.id, recipient, event_type)}
    return events.record_event(email, event_type, recipient=recipient, data=data, occurred_at=occurred_at,
                               recipients=recipients)


_SETTLED = ("bounced", "suppressed")  # a recipient in these has no more outcomes
DELIVERED = "delivered"  # the outcome label (simulate.py) that batches record together


def run_scheduled_outcome(payload: dict[str, Any], job: Job) -> None:
    """The OUTCOME_JOB handler: a simulated outcome falls due (see delivery.py)."""
    email = bulk.get_or_none(Email, id=payload["email_id"])
    if email is None:  # deleted meanwhile: nothing left to happen to
        return
    recipient = bulk.get_or_none(EmailRecipient, email=email.id, address=payload["recipient"])
    if recipient is None or recipient.status in _SETTLED:
        return
    apply_outcome(email, payload["recipient"], payload["outcome"], occurred_at=job.run_at)


def run_scheduled_outcomes(jobs: list[Job]) -> None:
    """OUTCOME_JOB's batch handler (events/jobs.py): `run_scheduled_outcome` for each job in
    order, with the emails and their recipients' statuses read once for the batch (the
    statuses kept current as the batch records events). Consecutive deliveries, each to
    another recipient, are recorded together (`record_events`): a delivery's subscribers record
    nothing more, and read nothing of another recipient's events."""
    email_ids = list(dict.fromkeys(job.payload["email_id"] for job in jobs))
    emails = {email.id: email for email in _emails(email_ids)}
    statuses = events.recipient_statuses(emails)
    deliveries: list[events.Recording] = []
    for job in jobs:
        payload = job.payload
        email = emails.get(payload["email_id"])
        if email is None:  # deleted meanwhile: nothing left to happen to
            continue
        recipients = statuses[email.id]
        recipient = payload["recipient"]
        if payload["outcome"] == DELIVERED and not any(
                r.email is email and r.recipient == recipient for r in deliveries):
            # Its recipient's status is as the deliveries before it leave it: none of them is its.
            if _still_open(recipients, recipient):
                event_type, data = simulate.outcome_event(DELIVERED, None)
                deliveries.append(events.Recording(email, event_type, recipient, data, job.run_at, recipients))
            continue
        events.record_events(deliveries)
        deliveries = []
        if _still_open(recipients, recipient):
            apply_outcome(email, recipient, payload["outcome"], occurred_at=job.run_at, recipients=recipients)
    events.record_events(deliveries)


def _still_open(recipients: events.Recipients, address: str) -> bool:
    """The recipient is the email's and may still have outcomes."""
    entry = next((entry for entry in recipients if entry[0] == address), None)
    return entry is not None and entry[1] not in _SETTLED


def _emails(ids: list[str]) -> list[Email]:
    """The emails of `ids` that exist, as `bulk.get_or_none` reads one: SQL built once per count."""
    fields = Email._meta.fields
    rows = bulk.execute(f"emails-by-id:{len(ids)}", lambda: (
        f"SELECT {', '.join(bulk.quoted(Email, name) for name in fields)} FROM {bulk.quoted(Email)} "
        f"WHERE {bulk.quoted(Email, 'id')} IN ({', '.join('?' * len(ids))})"), ids)
    return [bulk.instance_of(Email, row) for row in rows]


def trigger(organization_id: str, email_id: str, label: str, recipient: str | None,
            url: str | None) -> list[dict[str, Any]]:
    """POST /emails/{id}/simulate/: record an outcome now for one or every recipient."""
    from gclap_sandbox.inbox.queries import get_email
    from gclap_sandbox.state_errors import unknown_reference

    email = get_email(organization_id, email_id)
    addresses = [r.address for r in EmailRecipient.select(EmailRecipient.address)
                 .where(EmailRecipient.email == email.id).order_by(EmailRecipient.id)]
    if recipient is not None:
        if recipient.lower() not in addresses:
            raise unknown_reference({"recipient": [f"{recipient} is not a recipient of this email."]})
        addresses = [recipient.lower()]
    return [events.serialize(apply_outcome(email, address, label, url=url)) for address in addresses]


def record_tracked(token: str, kind: str, data: dict[str, Any]) -> TrackingToken | None:
    """A real open, click or unsubscribe from a tracking URL; None for an unknown token."""
    row = tracking.resolve(token, kind)
    if row is None:
        return None
    email = Email.get_by_id(row.email_id)
    event_type = {tracking.OPEN: events.OPENED, tracking.CLICK: events.CLICKED,
                  tracking.UNSUBSCRIBE: events.UNSUBSCRIBED}[kind]
    if kind == tracking.CLICK:
        data = {**data, "url": row.url}
    if kind == tracking.UNSUBSCRIBE and not _is_first(email.id, row.recipient, event_type):
        return row  # one-click unsubscribe is idempotent
    record_engagement(email, event_type, row.recipient, data)
    return row


def token_info(token: str, kind: str) -> TrackingToken | None:
    return tracking.resolve(token, kind)


def clickable_links(email_id: str) -> list[str]:
    """The links a click can be simulated on: the tracked originals, else the HTML's web links."""
    tracked = (TrackingToken.select(TrackingToken.url)
               .where((TrackingToken.email == email_id) & (TrackingToken.kind == tracking.CLICK))
               .order_by(TrackingToken.created_at).tuples())
    links = list(dict.fromkeys(url for (url,) in tracked if url))
    if not links:
        content = EmailContent.get_or_none(EmailContent.email == email_id)
        links = list(dict.fromkeys(tracking.find_links(content.html))) if content and content.html else []
    return [link for link in links if link.lower().startswith(("http://", "https://"))]
