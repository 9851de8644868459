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
    # Whose clock `run_at` is on (clock.py); None: the default organization's. Not a foreign
    # key: a reset of the organization's data leaves the jobs of what it keeps.
    organization_id = peewee.CharField(max_length=64, null=True)
    run_at = UtcDateTimeField(index=True)
    payload = JSONField(default=dict)
    attempts = peewee.IntegerField(default=0)
    last_error = peewee.TextField(null=True)
    created_at = UtcDateTimeField(default=clock.now)
