"""Scheduled reports: what to send, to whom and when, and each run with the email it sent."""
from __future__ import annotations

import peewee

from gclap_sandbox import clock
from gclap_sandbox.models.accounts import Organization
from gclap_sandbox.models.base import BaseModel
from gclap_sandbox.models.fields import IdField, JSONField, UtcDateTimeField


class ScheduledReport(BaseModel):
    # Like campaigns and workflows, a report and its pending run (a job) go together on reset.
    reset_scope = "data"

    id = IdField()
    organization = peewee.ForeignKeyField(Organization, backref="scheduled_reports", on_delete="CASCADE")
    name = peewee.CharField(max_length=200)
    schedule = JSONField()  # reports/schedule.py SCHEDULE: {"frequency": ..., "timezone": ..., ...}
    recipients = JSONField(default=list)
    sections = JSONField(default=list)  # reports/content.py SECTIONS
    period = peewee.CharField(max_length=32)  # reports/schedule.py PERIODS
    formats = JSONField(default=list)  # "html", "csv"
    enabled = peewee.BooleanField(default=True)
    next_run_at = UtcDateTimeField(null=True)  # null: disabled, or the schedule matches no later time
    last_run_at = UtcDateTimeField(null=True)
    created_at = UtcDateTimeField(default=clock.now)
    updated_at = UtcDateTimeField(default=clock.now)

    class Meta:
        indexes = ((("organization", "created_at"), False),)


class ReportRun(BaseModel):
    reset_scope = "data"

    id = IdField()
    report = peewee.ForeignKeyField(ScheduledReport, backref="runs", on_delete="CASCADE")
    trigger = peewee.CharField(max_length=16)  # "schedule" or "manual"
    scheduled_for = UtcDateTimeField(null=True)  # the schedule's time (null for run-now)
    ran_at = UtcDateTimeField(default=clock.now)
    period_start = UtcDateTimeField()
    period_end = UtcDateTimeField()
    email_ids = JSONField(default=list)

    class Meta:
        indexes = ((("report", "ran_at"), False),)
