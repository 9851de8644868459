"""Automation: workflows (a trigger and steps) and the runs of contacts through them."""
from __future__ import annotations

import peewee

from gclap_sandbox import clock
from gclap_sandbox.models.accounts import Organization
from gclap_sandbox.models.base import BaseModel
from gclap_sandbox.models.contacts import Contact
from gclap_sandbox.models.fields import IdField, JSONField, UtcDateTimeField

WORKFLOW_STATUSES = ("draft", "active", "paused")
# A run is `ready` (its next step is due now), `waiting` (a job resumes it), or finished:
# `completed` (it went past its last step or reached `exit`), `exited` (the contact left,
# e.g. unsubscribed) or `failed` (a step could not be done; the error is in its history).
RUN_STATUSES = ("ready", "waiting", "completed", "exited", "failed")
LIVE_RUN_STATUSES = ("ready", "waiting")


class Workflow(BaseModel):
    reset_scope = "data"

    id = IdField()
    organization = peewee.ForeignKeyField(Organization, backref="workflows", on_delete="CASCADE")
    name = peewee.CharField(max_length=200)
    description = peewee.TextField(default="")
    status = peewee.CharField(max_length=16, default="draft")
    trigger = JSONField()
    steps = JSONField(default=list)
    reentry = peewee.CharField(max_length=16, default="once")  # "once" or "after_finish"
    created_at = UtcDateTimeField(default=clock.now)
    updated_at = UtcDateTimeField(default=clock.now)

    class Meta:
        indexes = ((("organization", "status"), False),)


class WorkflowRun(BaseModel):
    """One contact's way through one workflow: where it is, and what each step did (`history`)."""

    reset_scope = "data"

    id = IdField()
    workflow = peewee.ForeignKeyField(Workflow, backref="runs", on_delete="CASCADE")
    contact = peewee.ForeignKeyField(Contact, backref="workflow_runs", on_delete="CASCADE")
    status = peewee.CharField(max_length=16, default="ready")
    step = peewee.IntegerField(default=0)  # the index of the step it is at (or will do next)
    due_at = UtcDateTimeField(null=True)  # when a `ready` run's next step is due
    trigger = JSONField(default=dict)  # what enrolled it: the trigger type and its data
    history = JSONField(default=list)  # one entry per step done: {step, type, at, outcome, ...}
    # step index -> id of the email that step sent (conditions look at what happened to it).
    emails = JSONField(default=dict)
    started_at = UtcDateTimeField(default=clock.now)
    finished_at = UtcDateTimeField(null=True)

    class Meta:
        indexes = ((("workflow", "contact"), False), (("status", "due_at"), False))
