"""The delivery lifecycle: events, the suppression list and tracking tokens.

`reset_scope` tells a sandbox reset what to wipe: "data" rows go, "config" rows stay.
"""
from __future__ import annotations

import peewee

from gclap_sandbox import clock
from gclap_sandbox.models.accounts import Organization
from gclap_sandbox.models.base import BaseModel
from gclap_sandbox.models.emails import Email
from gclap_sandbox.models.fields import IdField, JSONField, UtcDateTimeField


class Event(BaseModel):
    """One thing that happened to one recipient of one email (written only by record_event)."""

    reset_scope = "data"

    id = IdField()
    # No index of their own: the two-column indexes below lead with each (one fewer to write per event).
    organization = peewee.ForeignKeyField(Organization, backref="events", on_delete="CASCADE", index=False)
    email = peewee.ForeignKeyField(Email, backref="events", on_delete="CASCADE", index=False)
    recipient = peewee.CharField(max_length=320, null=True, index=True)  # lower-cased
    type = peewee.CharField(max_length=64, index=True)
    occurred_at = UtcDateTimeField(default=clock.now, index=True)
    data = JSONField(default=dict)
    # Insertion order breaks ties between events that share a timestamp.
    seq = peewee.BigIntegerField(index=True)

    class Meta:
        indexes = ((("organization", "occurred_at"), False), (("email", "seq"), False))


class Suppression(BaseModel):
    """An address the organization no longer sends to (hard bounce, complaint, unsubscribe)."""

    reset_scope = "data"

    id = IdField()
    organization = peewee.ForeignKeyField(Organization, backref="suppressions", on_delete="CASCADE")
    address = peewee.CharField(max_length=320)  # lower-cased
    reason = peewee.CharField(max_length=32)  # hard_bounce, spam_complaint, unsubscribe
    # The email whose event put the address here (kept as text: the email may be deleted).
    email_id = peewee.CharField(max_length=36, null=True)
    created_at = UtcDateTimeField(default=clock.now)

    class Meta:
        indexes = ((("organization", "address"), True),)


class TrackingToken(BaseModel):
    """An unguessable token behind one open pixel, click link or unsubscribe URL."""

    reset_scope = "data"

    token = peewee.CharField(primary_key=True, max_length=64)
    kind = peewee.CharField(max_length=16)  # open, click, unsubscribe
    email = peewee.ForeignKeyField(Email, backref="tracking_tokens", on_delete="CASCADE")
    recipient = peewee.CharField(max_length=320, null=True)
    url = peewee.TextField(null=True)  # the original link, for clicks
    created_at = UtcDateTimeField(default=clock.now)
