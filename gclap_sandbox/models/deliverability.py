"""Deliverability: what the score reads beside the event log, its daily history, placement tests."""
from __future__ import annotations

import peewee

from gclap_sandbox import clock
from gclap_sandbox.models.accounts import Organization
from gclap_sandbox.models.base import BaseModel
from gclap_sandbox.models.emails import Email
from gclap_sandbox.models.fields import IdField, JSONField, UtcDateTimeField


class MarketingEmail(BaseModel):
    """A captured email that is marketing mail, and how a recipient could unsubscribe from it
    (written once at capture: deliverability/marketing.py)."""

    reset_scope = "data"

    email = peewee.ForeignKeyField(Email, primary_key=True, backref="marketing_rows", on_delete="CASCADE")
    organization = peewee.ForeignKeyField(Organization, on_delete="CASCADE")
    domain = peewee.CharField(max_length=255, default="")  # the From address's domain, lower-cased
    # one_click (RFC 8058 headers), link (List-Unsubscribe without One-Click), none
    unsubscribe = peewee.CharField(max_length=16)
    created_at = UtcDateTimeField(default=clock.now)

    class Meta:
        indexes = ((("organization", "created_at"), False),)


class ScoreSnapshot(BaseModel):
    """The score as a day of the sandbox clock ended: one row per organization, day and domain
    ("" for the organization as a whole), written by the daily job (deliverability/history.py)."""

    reset_scope = "data"

    id = peewee.AutoField()
    organization = peewee.ForeignKeyField(Organization, on_delete="CASCADE")
    day = peewee.DateField()
    domain = peewee.CharField(max_length=255, default="")
    score = peewee.IntegerField(null=True)  # None: nothing could be measured that day
    factors = JSONField(default=dict)  # name -> {"status", "points", "value"}
    taken_at = UtcDateTimeField(default=clock.now)

    class Meta:
        indexes = ((("organization", "day", "domain"), True),)


class PlacementTest(BaseModel):
    """One inbox placement test: the email sent to the seed list, and where it landed per provider."""

    reset_scope = "data"

    id = IdField()
    organization = peewee.ForeignKeyField(Organization, on_delete="CASCADE")
    email_id = peewee.CharField(max_length=36, null=True)  # the seed email (kept as text: it may be deleted)
    subject = peewee.TextField(default="")
    from_address = peewee.CharField(max_length=320, null=True)
    domain = peewee.CharField(max_length=255, default="")
    seed = peewee.IntegerField(default=0)
    results = JSONField(default=list)  # one dict per provider
    signals = JSONField(default=dict)  # what the verdicts were derived from
    created_at = UtcDateTimeField(default=clock.now)

    class Meta:
        indexes = ((("organization", "created_at"), False),)
