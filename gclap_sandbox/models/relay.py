"""Relay jobs: one row per request to relay an email upstream, with its attempts."""
from __future__ import annotations

import peewee

from gclap_sandbox import clock
from gclap_sandbox.models.base import BaseModel
from gclap_sandbox.models.emails import Email
from gclap_sandbox.models.fields import IdField, JSONField, UtcDateTimeField


class EmailRelay(BaseModel):
    """Durable: a pending row is resumed after a restart; the worker retries with backoff."""

    reset_scope = "data"

    id = IdField()
    email = peewee.ForeignKeyField(Email, backref="relays", on_delete="CASCADE")
    trigger = peewee.CharField(max_length=16)  # "auto" (on capture) or "release" (asked for)
    recipients = JSONField(default=list)  # everyone this job relays to
    pending = JSONField(default=list)  # recipients still to try (temporary failures)
    status = peewee.CharField(max_length=16, default="pending", index=True)  # pending, relayed, partial, failed
    attempts = peewee.IntegerField(default=0)
    # Each attempt: {at, code, message, accepted, refused}.
    history = JSONField(default=list)
    next_attempt_at = UtcDateTimeField(null=True, index=True)
    created_at = UtcDateTimeField(default=clock.now)
    finished_at = UtcDateTimeField(null=True)
    # The process relaying it and until when (real time), as for webhook deliveries (storage/claims.py).
    claimed_by = peewee.CharField(max_length=80, null=True)
    claimed_until = UtcDateTimeField(null=True)
