"""Usage counters (monthly email quota) and stored idempotent responses."""
from __future__ import annotations

import peewee

from gclap_sandbox import clock
from gclap_sandbox.models.accounts import Organization
from gclap_sandbox.models.base import BaseModel
from gclap_sandbox.models.fields import IdField, UtcDateTimeField


class UsageCounter(BaseModel):
    """Recipients of captured email per organization and calendar month (`YYYY-MM`)."""

    reset_scope = "data"

    id = peewee.AutoField()
    organization = peewee.ForeignKeyField(Organization, backref="usage", on_delete="CASCADE")
    month = peewee.CharField(max_length=7)
    emails = peewee.IntegerField(default=0)

    class Meta:
        indexes = ((("organization", "month"), True),)


class RateWindow(BaseModel):
    """An organization's open rate-limit window, when requests are counted in the database
    (several processes may serve it: accounts/limits.py)."""

    reset_scope = "data"

    organization = peewee.ForeignKeyField(Organization, primary_key=True, on_delete="CASCADE")
    started_at = UtcDateTimeField()  # on the organization's clock
    count = peewee.IntegerField(default=0)  # requests in it; one past the limit once one was refused


class IdempotencyRecord(BaseModel):
    """The first successful response to a POST sent with an `Idempotency-Key`."""

    reset_scope = "data"

    id = IdField()
    organization = peewee.ForeignKeyField(Organization, backref="idempotency_records", on_delete="CASCADE")
    key = peewee.CharField(max_length=255)
    fingerprint = peewee.CharField(max_length=64)  # SHA-256 of method, path and body
    status = peewee.IntegerField()
    content_type = peewee.CharField(max_length=200)
    body = peewee.BlobField()
    created_at = UtcDateTimeField(default=clock.now, index=True)

    class Meta:
        indexes = ((("organization", "key"), True),)
