"""Pruning: the oldest emails beyond the retention limits go, a slice at a time (DB thread).

An email goes with everything that hangs on it: its content, recipients, tags, attachments,
events, tracking tokens, relay jobs and marketing notes (ON DELETE CASCADE), its search entries
(the index's delete trigger, storage/fulltext.py) and its finished webhook deliveries with
their attempts. Deliveries still pending are left to finish: they carry their own payload.
Records that name an email only as history (suppressions, campaign recipients, placement
tests, report runs) keep its id as text, as they do when an email is deleted by hand.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from gclap_sandbox import clock
from gclap_sandbox.models import Email, WebhookDelivery
from gclap_sandbox.models.webhooks import PENDING
from gclap_sandbox.retention.policy import Retention

SLICE = 500  # emails per unit of work: short enough that capture and /healthz never wait long


def over_limits(retention: Retention, limit: int) -> int:
    """How many of the oldest emails are beyond the limits now (counted up to `limit`)."""
    over = 0
    if retention.max_emails:
        over = max(0, Email.select().count() - retention.max_emails)
    if retention.max_age and over < limit:
        cutoff = clock.now() - timedelta(seconds=retention.max_age)
        over = max(over, Email.select().where(Email.created_at <= cutoff).limit(limit).count())
    return min(over, limit)


def prune_slice(retention: Retention, limit: int = SLICE) -> int:
    """Delete up to `limit` of the oldest emails beyond the limits; returns how many went."""
    count = over_limits(retention, limit)
    if not count:
        return 0
    ids = [row.id for row in Email.select(Email.id).order_by(Email.created_at, Email.id).limit(count)]
    WebhookDelivery.delete().where(WebhookDelivery.email_id.in_(ids) & (WebhookDelivery.status != PENDING)).execute()
    return Email.delete().where(Email.id.in_(ids)).execute()


def next_expiry(retention: Retention) -> datetime | None:
    """When the oldest email passes `max_age` (None without an age limit or without mail)."""
    if not retention.max_age:
        return None
    oldest = Email.select(Email.created_at).order_by(Email.created_at).first()
    return None if oldest is None else oldest.created_at + timedelta(seconds=retention.max_age)
