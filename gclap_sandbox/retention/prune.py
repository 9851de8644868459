"""Pruning: the oldest emails beyond the retention limits go, a slice at a time (DB thread).

An email goes with everything that hangs on it: its content, recipients, tags, attachments,
events, tracking tokens, relay jobs and marketing notes (ON DELETE CASCADE), its search entries
(the index's delete trigger, storage/fulltext.py) and its webhook deliveries with their
attempts, waiting ones too: an endpoint that keeps failing would otherwise keep a delivery for
every email that ever passed (one being posted at that moment is simply not recorded, as when
its endpoint is deleted). Records that name an email only as history (suppressions, campaign recipients, placement
tests, report runs) keep its id as text, as they do when an email is deleted by hand.
"""
from __future__ import annotations

from datetime import datetime, timedelta

import peewee

from gclap_sandbox.events import due as due_rules
from gclap_sandbox.models import Email, WebhookDelivery
from gclap_sandbox.retention.policy import Retention

SLICE = 500  # emails per unit of work: short enough that capture and /healthz never wait long


def _too_old(retention: Retention) -> peewee.Expression:
    """Mail older than `max_age` on its organization's clock (only the organization in hand's
    while its clock moves: events/due.py)."""
    return due_rules.condition(Email.created_at, Email.organization, ago=timedelta(seconds=retention.max_age))


def beyond_limits(retention: Retention, limit: int) -> list[str]:
    """Up to `limit` ids of the emails beyond the limits now: the oldest past `max_emails`, then
    those past `max_age`."""
    ids: list[str] = []
    if retention.max_emails:
        over = min(limit, max(0, Email.select().count() - retention.max_emails))
        ids = [row_id for (row_id,) in Email.select(Email.id).order_by(Email.created_at, Email.id).limit(over).tuples()]
    if retention.max_age and len(ids) < limit:
        old = Email.select(Email.id).where(_too_old(retention))
        if ids:
            old = old.where(Email.id.not_in(ids))
        ids += [row_id for (row_id,) in old.order_by(Email.created_at, Email.id).limit(limit - len(ids)).tuples()]
    return ids


def prune_slice(retention: Retention, limit: int = SLICE) -> int:
    """Delete up to `limit` of the oldest emails beyond the limits; returns how many went."""
    ids = beyond_limits(retention, limit)
    if not ids:
        return 0
    WebhookDelivery.delete().where(WebhookDelivery.email_id.in_(ids)).execute()
    return Email.delete().where(Email.id.in_(ids)).execute()


def next_expiry(retention: Retention) -> datetime | None:
    """When the oldest email passes `max_age` (None without an age limit or without mail)."""
    if not retention.max_age:
        return None
    oldest = due_rules.earliest(Email.created_at, Email.organization)  # on the clock in hand
    return None if oldest is None else oldest + timedelta(seconds=retention.max_age)
