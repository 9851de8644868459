"""Organizations, API keys and the sandbox's own key/value settings."""
from __future__ import annotations

import peewee

from gclap_sandbox import clock
from gclap_sandbox.models.base import BaseModel
from gclap_sandbox.models.fields import IdField, JSONField, UtcDateTimeField


class Organization(BaseModel):
    reset_scope = "config"

    id = IdField()
    name = peewee.CharField(max_length=200)
    # Plans are defined in limits.py; the sandbox-only `unlimited` never throttles.
    plan = peewee.CharField(max_length=32, default="unlimited")
    is_default = peewee.BooleanField(default=False)
    settings = JSONField(default=dict)
    # How far this organization's clock is ahead of real time (clock.py, events/timeline.py).
    clock_offset = peewee.FloatField(default=0.0)
    created_at = UtcDateTimeField(default=clock.now)


class ApiKey(BaseModel):
    reset_scope = "config"

    id = IdField()
    organization = peewee.ForeignKeyField(Organization, backref="api_keys", on_delete="CASCADE")
    name = peewee.CharField(max_length=200)
    # Only a SHA-256 of the secret is kept; prefix and last4 let people recognise a key.
    key_hash = peewee.CharField(max_length=64, unique=True)
    prefix = peewee.CharField(max_length=32)
    last4 = peewee.CharField(max_length=4)
    scopes = JSONField(null=True)  # None means every scope
    is_default = peewee.BooleanField(default=False)
    created_at = UtcDateTimeField(default=clock.now)
    expires_at = UtcDateTimeField(null=True)
    last_used_at = UtcDateTimeField(null=True)
    revoked_at = UtcDateTimeField(null=True)


class SandboxSetting(BaseModel):
    """Sandbox-level key/value state, e.g. the default key shown at every start."""

    reset_scope = "config"

    key = peewee.CharField(primary_key=True, max_length=100)
    value = JSONField(null=True)
