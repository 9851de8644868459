"""Campaigns: one email to many contacts, and the recipients each campaign was sent to."""
from __future__ import annotations

import peewee

from gclap_sandbox import clock
from gclap_sandbox.models.accounts import Organization
from gclap_sandbox.models.base import BaseModel
from gclap_sandbox.models.fields import IdField, JSONField, UtcDateTimeField

CAMPAIGN_STATUSES = ("draft", "scheduled", "sending", "sent", "cancelled")


class Campaign(BaseModel):
    reset_scope = "data"

    id = IdField()
    organization = peewee.ForeignKeyField(Organization, backref="campaigns", on_delete="CASCADE")
    name = peewee.CharField(max_length=200)
    status = peewee.CharField(max_length=16, default="draft", index=True)
    # Content: a template (with variables), or subject / html / text of its own.
    template_id = peewee.CharField(max_length=36, null=True)
    variables = JSONField(default=dict)
    subject = peewee.TextField(null=True)
    html = peewee.TextField(null=True)
    text = peewee.TextField(null=True)
    from_email = peewee.CharField(max_length=998, null=True)
    reply_to = JSONField(default=list)
    tags = JSONField(default=list)
    track_opens = peewee.BooleanField(null=True)  # None: the organization's setting
    track_clicks = peewee.BooleanField(null=True)
    # {"lists": [...], "segments": [...], "contact_ids": [...]}
    audience = JSONField(default=dict)
    rate_per_minute = peewee.IntegerField(null=True)  # None: as fast as the sandbox goes
    send_at = UtcDateTimeField(null=True)  # when sending starts (set by the send action)
    started_at = UtcDateTimeField(null=True)
    completed_at = UtcDateTimeField(null=True)
    cancelled_at = UtcDateTimeField(null=True)
    # While sending: when its next batch may go (None while it is being filled or paced by a job).
    batch_due_at = UtcDateTimeField(null=True)
    # Counted as sending goes: recipients in the audience when sending began, and how far it got.
    recipient_count = peewee.IntegerField(default=0)
    sent_count = peewee.IntegerField(default=0)
    skipped = JSONField(default=dict)  # reason -> count
    created_at = UtcDateTimeField(default=clock.now)
    updated_at = UtcDateTimeField(default=clock.now)

    class Meta:
        indexes = ((("organization", "created_at"), False),)


class CampaignRecipient(BaseModel):
    """One contact of a campaign's audience, fixed when sending begins, in sending order."""

    reset_scope = "data"

    id = peewee.AutoField()  # sending order
    campaign = peewee.ForeignKeyField(Campaign, backref="recipients", on_delete="CASCADE")
    contact_id = peewee.CharField(max_length=36)
    address = peewee.CharField(max_length=320)
    # pending (not yet sent), sent, or skipped (with `reason`)
    status = peewee.CharField(max_length=16, default="pending")
    reason = peewee.CharField(max_length=32, null=True)
    email_id = peewee.CharField(max_length=36, null=True)

    class Meta:
        indexes = ((("campaign", "status", "id"), False),)


class CampaignCount(BaseModel):
    """A running count of one event type (or, for clicks, of one link) across a campaign's email.

    Kept up to date as each event is recorded (campaigns/counting.py), so a campaign's stats are
    a few row reads however many recipients it has. `url` is "" except on per-link click rows.
    """

    reset_scope = "data"

    campaign = peewee.ForeignKeyField(Campaign, backref="counts", on_delete="CASCADE")
    type = peewee.CharField(max_length=64)
    url = peewee.TextField(default="")
    total = peewee.IntegerField(default=0)
    unique = peewee.IntegerField(default=0)  # recipients: one email per recipient in a campaign

    class Meta:
        indexes = ((("campaign", "type", "url"), True),)
