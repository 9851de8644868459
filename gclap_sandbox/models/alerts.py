"""Alerts: what to watch (config), where each one stands (state) and how it got there (transitions).

A config is the organization's setting and survives a data reset; its state and history are
measurements of the data, so they go with it (the config then starts again at `ok`).
"""
from __future__ import annotations

import peewee

from gclap_sandbox import clock
from gclap_sandbox.models.accounts import Organization
from gclap_sandbox.models.base import BaseModel
from gclap_sandbox.models.fields import IdField, JSONField, UtcDateTimeField

# `ok`: never fired (or since a reset); `triggered`: the condition holds and was announced;
# `resolved`: it held, and no longer does.
ALERT_STATES = ("ok", "triggered", "resolved")


class AlertConfig(BaseModel):
    reset_scope = "config"

    id = IdField()
    organization = peewee.ForeignKeyField(Organization, backref="alert_configs", on_delete="CASCADE")
    name = peewee.CharField(max_length=200)
    metric = peewee.CharField(max_length=32)
    condition = JSONField()  # {"type": "above"|"below", "threshold"} or {"type": "anomaly", ...}
    window_seconds = peewee.IntegerField()
    min_volume = peewee.IntegerField(default=0)
    cooldown_seconds = peewee.IntegerField(default=0)
    filters = JSONField(default=dict)  # tag, campaign_id, sending_domain
    channels = JSONField(default=dict)  # emails, webhook_endpoint_ids
    enabled = peewee.BooleanField(default=True)
    created_at = UtcDateTimeField(default=clock.now)
    updated_at = UtcDateTimeField(default=clock.now)

    class Meta:
        indexes = ((("organization", "created_at"), False),)


class AlertState(BaseModel):
    """One config's standing, and its one pending evaluation (a job on the sandbox clock)."""

    reset_scope = "data"

    config = peewee.ForeignKeyField(AlertConfig, primary_key=True, backref="state_rows", on_delete="CASCADE")
    state = peewee.CharField(max_length=16, default="ok")
    changed_at = UtcDateTimeField(null=True)
    last_value = peewee.DoubleField(null=True)
    last_volume = peewee.IntegerField(null=True)
    last_evaluated_at = UtcDateTimeField(null=True)
    last_triggered_at = UtcDateTimeField(null=True)
    evaluation_at = UtcDateTimeField(null=True)
    evaluation_job_id = peewee.IntegerField(null=True)


class AlertTransition(BaseModel):
    """A change of state, with what was measured when it happened."""

    reset_scope = "data"

    id = IdField()
    config = peewee.ForeignKeyField(AlertConfig, backref="transitions", on_delete="CASCADE")
    organization = peewee.ForeignKeyField(Organization, backref="alert_transitions", on_delete="CASCADE")
    number = peewee.IntegerField()  # 1, 2, ... per config, in order
    from_state = peewee.CharField(max_length=16)
    to_state = peewee.CharField(max_length=16)
    value = peewee.DoubleField(null=True)
    volume = peewee.IntegerField(null=True)
    details = JSONField(default=dict)  # window, threshold or baseline, count
    occurred_at = UtcDateTimeField(default=clock.now)

    class Meta:
        indexes = ((("config", "number"), True),)
