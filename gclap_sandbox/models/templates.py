"""Email templates (configuration: kept across a sandbox reset)."""
from __future__ import annotations

import peewee

from gclap_sandbox import clock
from gclap_sandbox.models.accounts import Organization
from gclap_sandbox.models.base import BaseModel
from gclap_sandbox.models.fields import IdField, UtcDateTimeField


class Template(BaseModel):
    reset_scope = "config"

    id = IdField()
    organization = peewee.ForeignKeyField(Organization, backref="templates", on_delete="CASCADE")
    name = peewee.CharField(max_length=200)
    subject = peewee.TextField()
    html = peewee.TextField(null=True)
    text = peewee.TextField(null=True)
    created_at = UtcDateTimeField(default=clock.now)
    updated_at = UtcDateTimeField(default=clock.now)
