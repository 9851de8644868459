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
    """A running count of a campaign: of one event type across its email (or, for clicks, of one
    link), or of its recipients in one status (or skipped for one reason).

    Kept up to date as events are recorded and recipients change (campaigns/counting.py), so a
    campaign's stats are a few row reads however many recipients it has.
    """

    reset_scope = "data"

    campaign = peewee.ForeignKeyField(Campaign, backref="counts", on_delete="CASCADE")
    type = peewee.CharField(max_length=64)  # an event type, "recipients" or "skipped"
    # Within the type: "" for an event type as a whole, a link for clicks per link, a status
    # for "recipients", a reason for "skipped".
    key = peewee.TextField(default="")
    total = peewee.IntegerField(default=0)
    unique = peewee.IntegerField(default=0)  # event types: recipients with at least one such event

    class Meta:
        indexes = ((("campaign", "type", "key"), True),)
