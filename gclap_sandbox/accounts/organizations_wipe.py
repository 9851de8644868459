"""Deleting one organization's rows, and only its rows: the per-organization reset and the
deletion of an organization.

A row belongs to an organization through its `organization` foreign key, or through a parent
that does (an attachment through its email). Tables that belong to no organization (the job
queue, the sandbox DNS zone, mail not filed yet, the sandbox's own settings) are shared and
never touched here, except that the jobs queued for the rows deleted go with them.
"""
from __future__ import annotations

import peewee

from gclap_sandbox.models import (
    AlertConfig,
    ApiKey,
    Campaign,
    Email,
    Job,
    Organization,
    ScheduledReport,
    Workflow,
    WorkflowRun,
)
from gclap_sandbox.storage import reset
from gclap_sandbox.storage.database import BaseModel

# The job payload keys that name a row (see the `jobs.schedule` calls).
JOB_REFERENCES: dict[str, type[BaseModel]] = {
    "email_id": Email, "campaign_id": Campaign, "config_id": AlertConfig, "report_id": ScheduledReport,
    "workflow_id": Workflow, "run_id": WorkflowRun,
}
CHUNK = 500  # ids per IN (...) lookup


def belongs_to(model: type[BaseModel], organization_id: str) -> peewee.Expression | None:
    """The condition selecting the organization's rows of `model`; None for a shared table."""
    for fk, parent in model._meta.refs.items():
        if parent is Organization:
            return fk == organization_id
    for fk, parent in model._meta.refs.items():
        if parent is model:
            continue
        parent_condition = belongs_to(parent, organization_id)
        if parent_condition is not None:
            return fk.in_(parent.select(parent._meta.primary_key).where(parent_condition))
    return None


def wipe(organization_id: str, *, everything: bool, keys_too: bool = False) -> dict[str, int]:
    """Delete the organization's rows (DB thread, one transaction); rows deleted per table.

    Data only, or with `everything` its configuration too (templates, webhook endpoints,
    domains...); its keys only with `keys_too`. The organization row itself stays.
    """
    if not organization_id:  # never "no filter"
        raise ValueError("an organization id is required")
    deleted: dict[str, int] = {}
    for model in reset.models_to_wipe(everything):
        if model is Organization or (model is ApiKey and not keys_too):
            continue
        condition = belongs_to(model, organization_id)
        if condition is not None:
            deleted[model._meta.table_name] = model.delete().where(condition).execute()
    deleted[Job._meta.table_name] = drop_jobs_of_deleted_rows()
    return deleted


def drop_jobs_of_deleted_rows() -> int:
    """Delete the queued jobs whose row is gone (they would find nothing to do); how many."""
    waiting: dict[str, dict[object, list[int]]] = {name: {} for name in JOB_REFERENCES}
    for job_id, payload in Job.select(Job.id, Job.payload).tuples():
        for name, row_id in (payload or {}).items():
            if name in waiting and row_id is not None:
                waiting[name].setdefault(row_id, []).append(job_id)
    orphans: list[int] = []
    for name, jobs_by_row in waiting.items():
        model, row_ids = JOB_REFERENCES[name], list(jobs_by_row)
        key = model._meta.primary_key
        for start in range(0, len(row_ids), CHUNK):
            chunk = row_ids[start:start + CHUNK]
            present = {row for (row,) in model.select(key).where(key.in_(chunk)).tuples()}
            orphans += [job for row in chunk if row not in present for job in jobs_by_row[row]]
    for start in range(0, len(orphans), CHUNK):
        Job.delete().where(Job.id.in_(orphans[start:start + CHUNK])).execute()
    return len(orphans)
