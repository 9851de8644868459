"""record_event(): the one place every lifecycle event goes through.

Event types (what `type` holds, per recipient of an email):

    email.sent          accepted for delivery (recorded at capture)
    email.delivered     the receiving server accepted it
    email.deferred      a temporary failure; delivery will be retried
    email.bounced       permanent (`bounce_type: hard`) or temporary (`soft`) failure,
                        with `smtp_code` and `reason`
    email.opened        the open pixel was fetched (or an open was simulated)
    email.clicked       a tracked link was followed; `url` is the original link
    email.unsubscribed  the recipient unsubscribed (RFC 8058 one-click, or simulated)
    email.spam          the recipient marked it as spam
    email.suppressed    not sent: the address is on the suppression list

`record_event()` runs on the DB thread inside the caller's unit of work. It stores the
event, moves the recipient's and the email's status forward, then publishes it on the
sandbox's bus (events/bus.py): `event_recorded` inside the same transaction (suppression
list, bounce report, contacts, the webhook outbox), `event_committed` once it has committed
(long polls and the live UI). Who subscribes is written in server/wiring.py.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any, Iterable, NamedTuple, Sequence

from gclap_sandbox import clock
from gclap_sandbox.models import Email, EmailRecipient, Event
from gclap_sandbox.random_ids import uuid7_text
from gclap_sandbox.storage import bulk
from gclap_sandbox.storage import database as db

SENT = "email.sent"
DELIVERED = "email.delivered"
DEFERRED = "email.deferred"
BOUNCED = "email.bounced"
OPENED = "email.opened"
CLICKED = "email.clicked"
UNSUBSCRIBED = "email.unsubscribed"
SPAM = "email.spam"
SUPPRESSED = "email.suppressed"

EVENT_TYPES: dict[str, str] = {
    SENT: "Accepted for delivery.",
    DELIVERED: "Accepted by the recipient's mail server.",
    DEFERRED: "Temporarily refused; delivery will be retried.",
    BOUNCED: "Refused: `bounce_type` hard (permanent) or soft (temporary), with `smtp_code` and `reason`.",
    OPENED: "The recipient opened the email.",
    CLICKED: "The recipient followed a tracked link (`url`).",
    UNSUBSCRIBED: "The recipient unsubscribed.",
    SPAM: "The recipient marked the email as spam.",
    SUPPRESSED: "Not sent: the address is on the organization's suppression list.",
}

# The status an event leaves the recipient in; statuses only move to a higher rank.
STATUS_FOR: dict[str, str] = {
    SENT: "sent", DEFERRED: "deferred", DELIVERED: "delivered", OPENED: "opened",
    CLICKED: "clicked", UNSUBSCRIBED: "unsubscribed", SPAM: "spam", BOUNCED: "bounced",
    SUPPRESSED: "suppressed",
}
STATUS_RANK: dict[str, int] = {
    "sent": 0, "deferred": 1, "delivered": 2, "opened": 3, "clicked": 4,
    "unsubscribed": 5, "spam": 6, "bounced": 7, "suppressed": 7,
}

# The statuses each status moves a recipient on from (those of a lower rank).
_LOWER: dict[str, tuple[str, ...]] = {
    status: tuple(s for s, r in STATUS_RANK.items() if r < STATUS_RANK[status]) for status in STATUS_RANK}

_sequence = db.StoredSequence(Event.seq)  # orders events recorded in the same instant

Recipients = list[list[str]]  # an email's recipients as [address, status], in stored order


def record_event(email: Email, type: str, *, recipient: str | None = None,
                 data: dict[str, Any] | None = None, occurred_at: datetime | None = None,
                 recipients: Recipients | None = None) -> Event:
    """Store one event and apply its consequences; call on the DB thread in a unit of work.
    `recipients`: the email's recipients and statuses, when the caller has read them (a batch
    of jobs, `recipient_statuses`); kept current here, they save reading them again."""
    row = _event_row(email, type, recipient, data, occurred_at)
    bulk.insert_rows(Event, [row])
    return _follow(email, row, recipients)


class Recording(NamedTuple):
    """One event for `record_events`: `record_event`'s arguments."""
    email: Email
    type: str
    recipient: str | None
    data: dict[str, Any] | None
    occurred_at: datetime | None
    recipients: Recipients | None


def record_events(recordings: Sequence[Recording]) -> list[Event]:
    """`record_event` for each, in order, with the rows written in one statement first. For the
    caller to make sure that no event's consequences would see the later ones (e.g. each is for
    another email or recipient, of a type whose subscribers record nothing more)."""
    return [follow_event(written) for written in write_events(recordings)]


class Written(NamedTuple):
    """An event stored by `write_events`, its consequences still to follow (`follow_event`)."""
    email: Email
    row: dict[str, Any]
    recipients: Recipients | None


def write_events(recordings: Sequence[Recording]) -> list[Written]:
    """The first half of `record_events`: store the rows (one statement). Each must then go
    through `follow_event`, in order, in the same unit of work."""
    rows = [_event_row(r.email, r.type, r.recipient, r.data, r.occurred_at) for r in recordings]
    bulk.insert_rows(Event, rows)
    return [Written(r.email, row, r.recipients) for r, row in zip(recordings, rows)]


def follow_event(written: Written) -> Event:
    """The second half: the event's consequences (statuses, the bus)."""
    return _follow(written.email, written.row, written.recipients)


def _event_row(email: Email, type: str, recipient: str | None, data: dict[str, Any] | None,
               occurred_at: datetime | None) -> dict[str, Any]:
    if type not in EVENT_TYPES:
        raise ValueError(f"unknown event type {type!r}")
    return {"id": uuid7_text(), "organization": email.organization_id, "email": email.id,
            "recipient": recipient.lower() if recipient else None, "type": type,
            "occurred_at": occurred_at or clock.now(), "data": data or {}, "seq": _sequence.next()}


def _follow(email: Email, row: dict[str, Any], recipients: Recipients | None) -> Event:
    """A stored event's consequences: statuses moved on, then the news on the bus."""
    # The instance without Model.__init__'s cost (as bulk.get_or_none); subscribers read the
    # email (its campaign, its organization) without a query.
    event = Event.__new__(Event)
    event.__data__, event._dirty, event.__rel__ = row, set(), {"email": email}
    if row["type"] != SENT:  # every recipient starts as "sent": nothing to advance
        _advance_statuses(email, event, recipients)
    payload = serialize(event)
    bus = db.current().bus
    bus.event_recorded.publish(event, payload)
    if bus.event_committed:
        organization_id = email.organization_id
        db.after_commit(lambda: bus.event_committed.publish(organization_id, payload))
    return event


def recipient_statuses(email_ids: Iterable[str]) -> dict[str, Recipients]:
    """Each email's recipients as [address, status], in the order `_advance_statuses` reads them."""
    ids = list(email_ids)
    found: dict[str, Recipients] = {email_id: [] for email_id in ids}
    rows = bulk.execute(f"recipients-of:{len(ids)}", lambda: (
        f"SELECT {bulk.quoted(EmailRecipient, 'email')}, {bulk.quoted(EmailRecipient, 'address')}, "
        f"{bulk.quoted(EmailRecipient, 'status')} FROM {bulk.quoted(EmailRecipient)} "
        f"WHERE {bulk.quoted(EmailRecipient, 'email')} IN ({', '.join('?' * len(ids))}) "
        f"ORDER BY {bulk.quoted(EmailRecipient, 'id')}"), ids)
    for email_id, address, status in rows:
        found[email_id].append([address, status])
    return found


def _advance_statuses(email: Email, event: Event, recipients: Recipients | None = None) -> None:
    status = STATUS_FOR[event.type]
    lower = _LOWER[status]
    # Hand-written statements, built once each (bulk.execute caches them): this runs for every
    # delivery event.
    address = event.recipient
    bulk.execute(f"advance:{status}:{bool(address)}", lambda: (
        f"UPDATE {bulk.quoted(EmailRecipient)} SET {bulk.quoted(EmailRecipient, 'status')} = ? "
        f"WHERE {bulk.quoted(EmailRecipient, 'email')} = ? "
        f"AND {bulk.quoted(EmailRecipient, 'status')} IN ({', '.join('?' * len(lower))})"
        + (f" AND {bulk.quoted(EmailRecipient, 'address')} = ?" if address else "")),
        [status, email.id, *lower, *([address] if address else [])])
    if recipients is None:
        statuses = [row[0] for row in bulk.execute("recipient-statuses", lambda: (
            f"SELECT {bulk.quoted(EmailRecipient, 'status')} FROM {bulk.quoted(EmailRecipient)} "
            f"WHERE {bulk.quoted(EmailRecipient, 'email')} = ?"), [email.id])]
    else:  # the same change, on the caller's copy
        for entry in recipients:
            if (not address or entry[0] == address) and entry[1] in lower:
                entry[1] = status
        statuses = [entry[1] for entry in recipients]
    # The email shows its most advanced recipient (for one recipient: that recipient's status).
    best = max(statuses, key=lambda s: STATUS_RANK.get(s, 0)) if statuses else status
    if best != email.status:
        bulk.execute("email-status", lambda: f"UPDATE {bulk.quoted(Email)} SET {bulk.quoted(Email, 'status')} = ? "
                                             f"WHERE {bulk.quoted(Email, 'id')} = ?", [best, email.id])
        email.status = best


def serialize(event: Event) -> dict[str, Any]:
    return {
        "id": event.id,
        "type": event.type,
        "email_id": event.email_id,
        "recipient": event.recipient,
        "occurred_at": clock.iso(event.occurred_at),
        "data": event.data,
    }


def list_events(organization_id: str, filters: dict[str, Any], offset: int, limit: int,
                oldest_first: bool = False) -> tuple[int, list[dict[str, Any]]]:
    query = Event.select().where(Event.organization == organization_id)
    if filters.get("type"):
        query = query.where(Event.type.in_(filters["type"]))
    if filters.get("email"):
        query = query.where(Event.email == filters["email"])
    if filters.get("recipient"):
        query = query.where(Event.recipient == filters["recipient"].lower())
    if filters.get("campaign"):
        query = query.where(Event.email.in_(Email.select(Email.id).where(Email.campaign_id == filters["campaign"])))
    if filters.get("since"):
        query = query.where(Event.occurred_at >= filters["since"])
    if filters.get("before"):
        query = query.where(Event.occurred_at < filters["before"])
    order = (Event.occurred_at.asc(), Event.seq.asc()) if oldest_first else \
        (Event.occurred_at.desc(), Event.seq.desc())
    count = query.count()
    return count, [serialize(e) for e in query.order_by(*order).offset(offset).limit(limit)]


def email_timeline(email_id: str, limit: int) -> tuple[int, list[dict[str, Any]]]:
    """(count, newest events) of one email, newest first."""
    query = Event.select().where(Event.email == email_id)
    rows = list(query.order_by(Event.seq.desc()).limit(limit))
    return (len(rows) if len(rows) < limit else query.count()), [serialize(e) for e in rows]
