"""Durable jobs on the sandbox clock (see jobs.py)."""
from __future__ import annotations

import peewee

from gclap_sandbox import clock
from gclap_sandbox.models.base import BaseModel
from gclap_sandbox.models.fields import JSONField, UtcDateTimeField


class Job(BaseModel):
    """A unit of work due at `run_at` on the sandbox clock; deleted once it has run."""

    reset_scope = "data"

    id = peewee.AutoField()
    kind = peewee.CharField(max_length=64)
    run_at = UtcDateTimeField(index=True)
    payload = JSONField(default=dict)
    attempts = peewee.IntegerField(default=0)
    last_error = peewee.TextField(null=True)
    created_at = UtcDateTimeField(default=clock.now)
