"""Webhooks: subscribed endpoints (config), their deliveries (the outbox) and each attempt."""
from __future__ import annotations

import peewee

from gclap_sandbox import clock
from gclap_sandbox.models.accounts import Organization
from gclap_sandbox.models.base import BaseModel
from gclap_sandbox.models.fields import IdField, JSONField, UtcDateTimeField

# A delivery is `pending` (waiting for its first or next attempt), `succeeded` (a 2xx came back),
# `failed` (the retry schedule ran out, or 410 Gone) or `skipped` (its endpoint was disabled when
# the event happened: kept, never sent, until a replay queues it).
PENDING, SUCCEEDED, FAILED, SKIPPED = "pending", "succeeded", "failed", "skipped"
DELIVERY_STATUSES = (PENDING, SUCCEEDED, FAILED, SKIPPED)


class WebhookEndpoint(BaseModel):
    """A URL that receives signed events of the types it subscribes to."""

    reset_scope = "config"

    id = IdField()
    organization = peewee.ForeignKeyField(Organization, backref="webhook_endpoints", on_delete="CASCADE")
    url = peewee.TextField()
    events = JSONField(default=list)  # event types, or ["*"]
    description = peewee.TextField(default="")
    active = peewee.BooleanField(default=True)
    secret = peewee.CharField(max_length=100)  # whsec_...
    # After a rotation the old secret keeps signing (beside the new one) until this moment.
    previous_secret = peewee.CharField(max_length=100, null=True)
    previous_secret_expires_at = UtcDateTimeField(null=True)
    consecutive_failures = peewee.IntegerField(default=0)
    # The start of the first failed attempt with no success after it; any 2xx clears it.
    failing_since = UtcDateTimeField(null=True)
    disabled_reason = peewee.TextField(null=True)
    disabled_at = UtcDateTimeField(null=True)
    created_at = UtcDateTimeField(default=clock.now)
    updated_at = UtcDateTimeField(default=clock.now)

    class Meta:
        indexes = ((("organization", "active"), False),)


class WebhookDelivery(BaseModel):
    """One message for one endpoint: written with its event, kept until attempts succeed or run out."""

    reset_scope = "data"

    id = IdField()
    seq = peewee.BigIntegerField(index=True)  # creation order: deliveries per email go out in it
    organization = peewee.ForeignKeyField(Organization, on_delete="CASCADE")
    endpoint = peewee.ForeignKeyField(WebhookEndpoint, backref="deliveries", on_delete="CASCADE")
    message_id = peewee.CharField(max_length=64)  # the webhook-id header, stable across attempts
    event_type = peewee.CharField(max_length=64, index=True)
    event_id = peewee.CharField(max_length=36, null=True)
    email_id = peewee.CharField(max_length=36, null=True, index=True)
    body = peewee.TextField()  # the exact JSON text every attempt posts
    status = peewee.CharField(max_length=16, default=PENDING)  # one of DELIVERY_STATUSES
    attempt_count = peewee.IntegerField(default=0)
    # Failed attempts since the last (re)delivery started: the position in the retry schedule.
    round_attempts = peewee.IntegerField(default=0)
    next_attempt_at = UtcDateTimeField(null=True)
    last_attempt_at = UtcDateTimeField(null=True)
    last_response_status = peewee.IntegerField(null=True)
    last_error = peewee.TextField(null=True)
    skipped_reason = peewee.TextField(null=True)  # why a `skipped` delivery was not sent
    replayed_at = UtcDateTimeField(null=True)  # when a replay queued this skipped delivery
    created_at = UtcDateTimeField(default=clock.now)
    # The process posting it and until when (real time), so another on the database skips it
    # (storage/claims.py); cleared when the attempt is recorded.
    claimed_by = peewee.CharField(max_length=80, null=True)
    claimed_until = UtcDateTimeField(null=True)

    class Meta:
        indexes = ((("status", "next_attempt_at"), False), (("organization", "seq"), False),
                   (("endpoint", "status"), False))
        only_save_dirty = True  # an attempt rewrites its few state columns, not the body


class WebhookAttempt(BaseModel):
    """One HTTP request of a delivery, with what came back."""

    reset_scope = "data"

    id = peewee.AutoField()
    delivery = peewee.ForeignKeyField(WebhookDelivery, backref="attempts", on_delete="CASCADE")
    number = peewee.IntegerField()
    url = peewee.TextField()
    started_at = UtcDateTimeField()
    request_headers = JSONField()
    request_body = peewee.TextField()
    response_status = peewee.IntegerField(null=True)
    response_headers = JSONField(null=True)
    response_body = peewee.TextField(null=True)
    response_truncated = peewee.BooleanField(default=False)
    duration_ms = peewee.FloatField()
    error = peewee.TextField(null=True)
    succeeded = peewee.BooleanField(default=False)
