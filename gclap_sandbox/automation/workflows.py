"""Workflows: CRUD, their runs, and enrolment by API (custom events, manual) (DB thread)."""
from __future__ import annotations

from datetime import timedelta
from typing import Any

import peewee

from gclap_sandbox import clock
from gclap_sandbox.automation import definition, runs
from gclap_sandbox.contacts import lists as contact_lists
from gclap_sandbox.contacts import store as contacts
from gclap_sandbox.errors import Conflict
from gclap_sandbox.events import jobs
from gclap_sandbox.models import (
    Contact,
    ContactList,
    Job,
    Template,
    Workflow,
    WorkflowRun,
)
from gclap_sandbox.models.automation import RUN_STATUSES
from gclap_sandbox.state_errors import unknown_reference
from gclap_sandbox.storage.database import owned
from gclap_sandbox.webhooks.signing import new_secret

DATE_JOB = "automation.date_check"


def workflow_dict(workflow: Workflow, counts: dict[str, int] | None = None) -> dict[str, Any]:
    return {"id": workflow.id, "name": workflow.name, "description": workflow.description,
            "status": workflow.status, "trigger": workflow.trigger, "steps": workflow.steps,
            "reentry": workflow.reentry,
            "runs": {status: 0 for status in RUN_STATUSES} | (counts if counts is not None else run_counts(workflow.id)),
            "created_at": clock.iso(workflow.created_at), "updated_at": clock.iso(workflow.updated_at)}


def run_counts(workflow_id: str) -> dict[str, int]:
    rows = (WorkflowRun.select(WorkflowRun.status, peewee.fn.COUNT(WorkflowRun.id))
            .where(WorkflowRun.workflow == workflow_id).group_by(WorkflowRun.status).tuples())
    return dict(rows)


def run_dict(run: WorkflowRun, contact_email: str) -> dict[str, Any]:
    return {"id": run.id, "workflow_id": run.workflow_id, "contact_id": run.contact_id,
            "contact_email": contact_email, "status": run.status, "current_step": run.step,
            "trigger": run.trigger, "history": run.history, "emails": run.emails,
            "started_at": clock.iso(run.started_at),
            "finished_at": clock.iso(run.finished_at) if run.finished_at else None}


def get_workflow(organization_id: str, workflow_id: str) -> Workflow:
    return owned(Workflow, organization_id, workflow_id, f"No workflow with id {workflow_id}.")


def _check_references(organization_id: str, trigger: dict[str, Any], steps: list[dict[str, Any]]) -> None:
    errors: dict[str, list[str]] = {}
    models = {"template": Template, "list": ContactList}
    for path, (kind, row_id) in definition.referenced_ids(trigger, steps).items():
        model = models[kind]
        if not model.select().where((model.id == row_id) & (model.organization == organization_id)).exists():
            errors[path] = [f"unknown {kind}: no {kind} with id {row_id}"]
    if errors:  # valid in itself, but names nothing (of this organization): a 404, as state_errors says
        raise unknown_reference(errors)


def _with_secrets(steps: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A call_url step signs what it posts like a webhook; it gets a secret unless given one."""
    return [{**step, "secret": step.get("secret") or new_secret()} if step.get("type") == "call_url" else step
            for step in steps]


def create_workflow(organization_id: str, data: dict[str, Any]) -> dict[str, Any]:
    _check_references(organization_id, data["trigger"], data.get("steps") or [])
    now = clock.now()
    workflow = Workflow.create(
        organization=organization_id, name=data["name"], description=data.get("description") or "",
        status=data.get("status") or "draft", trigger=data["trigger"], steps=_with_secrets(data.get("steps") or []),
        reentry=data.get("reentry") or "once", created_at=now, updated_at=now)
    _schedule_date_checks(workflow)
    return workflow_dict(workflow, {})


def update_workflow(organization_id: str, workflow_id: str, data: dict[str, Any]) -> dict[str, Any]:
    workflow = get_workflow(organization_id, workflow_id)
    trigger, steps = data.get("trigger", workflow.trigger), data.get("steps", workflow.steps)
    _check_references(organization_id, trigger, steps)
    for name in ("name", "description", "status", "reentry", "trigger"):
        if name in data:
            setattr(workflow, name, data[name] if data[name] is not None else "")
    if "steps" in data:
        workflow.steps = _with_secrets(steps)
    workflow.updated_at = clock.now()
    workflow.save()
    _schedule_date_checks(workflow)
    return workflow_dict(workflow)


def delete_workflow(organization_id: str, workflow_id: str) -> None:
    get_workflow(organization_id, workflow_id).delete_instance()  # its runs go with it


def list_workflows(organization_id: str, status: str | None, offset: int, limit: int
                   ) -> tuple[int, list[dict[str, Any]]]:
    query = Workflow.select().where(Workflow.organization == organization_id)
    if status:
        query = query.where(Workflow.status == status)
    rows = query.order_by(Workflow.created_at.desc(), Workflow.id).offset(offset).limit(limit)
    return query.count(), [workflow_dict(row) for row in rows]


def detail(organization_id: str, workflow_id: str) -> dict[str, Any]:
    return workflow_dict(get_workflow(organization_id, workflow_id))


def list_runs(organization_id: str, workflow_id: str, filters: dict[str, Any], offset: int, limit: int
              ) -> tuple[int, list[dict[str, Any]]]:
    workflow = get_workflow(organization_id, workflow_id)
    # Contact.id too: the joined contact replaces the run's `contact_id` with its own id.
    query = (WorkflowRun.select(WorkflowRun, Contact.id, Contact.email).join(Contact)
             .where(WorkflowRun.workflow == workflow.id))
    if filters.get("status"):
        query = query.where(WorkflowRun.status == filters["status"])
    if filters.get("email"):
        query = query.where(Contact.email == contacts.normalize_email(filters["email"]))
    rows = query.order_by(WorkflowRun.started_at.desc(), WorkflowRun.id).offset(offset).limit(limit)
    return query.count(), [run_dict(row, row.contact.email) for row in rows]


def active_with_trigger(organization_id: str, trigger_type: str) -> list[Workflow]:
    return [w for w in Workflow.select().where((Workflow.organization == organization_id)
                                               & (Workflow.status == "active"))
            if w.trigger.get("type") == trigger_type]


def _enrolled(workflow: Workflow, contact: Contact, trigger: dict[str, Any]) -> dict[str, Any]:
    run = runs.enroll(workflow, contact, trigger)
    return {"workflow_id": workflow.id, "contact_id": contact.id, "run_id": run.id if run else None,
            "enrolled": run is not None}


def post_custom_event(organization_id: str, data: dict[str, Any]) -> dict[str, Any]:
    """A custom event enrols its contact (created when new) in every active workflow it triggers."""
    email = data["email"]
    contact = Contact.get_or_none((Contact.organization == organization_id) & (Contact.email == email))
    if contact is None:
        contact = Contact.get_by_id(contacts.create_contact(organization_id, {"email": email})["id"])
    trigger = {"type": "custom_event", "event": data["event"], "properties": data.get("properties") or {}}
    results = [_enrolled(w, contact, trigger) for w in active_with_trigger(organization_id, "custom_event")
               if w.trigger.get("event") == data["event"]]
    return {"event": data["event"], "contact_id": contact.id, "runs": results}


def enroll_manually(organization_id: str, workflow_id: str, contact_ids: list[str], emails: list[str]
                    ) -> dict[str, Any]:
    workflow = get_workflow(organization_id, workflow_id)
    if workflow.status != "active":
        raise Conflict(f"The workflow is {workflow.status}; activate it before enrolling contacts.",
                       slug="workflow-not-active")
    ids, missing = contact_lists.resolve_contacts(organization_id, contact_ids, emails)
    results = [_enrolled(workflow, contact, {"type": "manual"})
               for contact in Contact.select().where(Contact.id.in_(ids))] if ids else []
    return {"runs": results, "not_found": missing}


def _schedule_date_checks(workflow: Workflow) -> None:
    """An active date-attribute workflow looks at its contacts' dates now and every midnight
    (UTC, sandbox clock); one pending check per workflow."""
    pending = [job for job in Job.select().where(Job.kind == DATE_JOB)
               if job.payload.get("workflow_id") == workflow.id]
    wanted = workflow.status == "active" and workflow.trigger.get("type") == "date_attribute"
    if wanted and not pending:
        jobs.schedule(DATE_JOB, {"workflow_id": workflow.id})
    elif not wanted:
        for job in pending:
            job.delete_instance()


def check_dates(payload: dict[str, Any], job: Any) -> None:
    """The DATE_JOB handler: enrol contacts whose date attribute (with its offset) is today."""
    from gclap_sandbox.automation.decisions import date_trigger_due, offset_seconds
    workflow = Workflow.get_or_none(Workflow.id == payload["workflow_id"])
    if workflow is None or workflow.status != "active" or workflow.trigger.get("type") != "date_attribute":
        return
    trigger, today = workflow.trigger, clock.now().date()
    offset, yearly = offset_seconds(trigger.get("offset")), bool(trigger.get("yearly"))
    for contact in Contact.select().where(Contact.organization == workflow.organization_id):
        value = (contact.attributes or {}).get(trigger["attribute"])
        if date_trigger_due(value, offset, yearly, today):
            runs.enroll(workflow, contact, {"type": "date_attribute", "attribute": trigger["attribute"],
                                            "date": str(value), "on": today.isoformat()})
    midnight = clock.now().replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1)
    jobs.schedule(DATE_JOB, {"workflow_id": workflow.id}, at=midnight)
