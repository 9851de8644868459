"""Runs: enrolling contacts, and taking each run's steps that need only the database (DB thread).

`proceed(run_id)` does a ready run's steps until one needs the world outside the database
(sending an email, calling a URL: returned as a `StepWork` for the runner), a wait (a durable
job on the sandbox clock resumes it) or the end. Every step leaves a history entry.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from gclap_sandbox import clock
from gclap_sandbox.automation import decisions
from gclap_sandbox.contacts import store as contacts
from gclap_sandbox.events import due as due_rules
from gclap_sandbox.events import jobs
from gclap_sandbox.models import (
    Contact,
    ContactListMember,
    Event,
    Workflow,
    WorkflowRun,
)
from gclap_sandbox.models.automation import LIVE_RUN_STATUSES
from gclap_sandbox.storage import database as db
from gclap_sandbox.templating.store import contact_variables

RESUME_JOB = "automation.resume"


@dataclass(frozen=True)
class StepWork:
    """A step the runner does off the database thread, then reports with `record_step`."""

    run_id: str
    index: int
    step: dict[str, Any]
    organization_id: str
    workflow_id: str
    contact: dict[str, Any]
    trigger: dict[str, Any]


def _entry(index: int, step: dict[str, Any], outcome: str, **details: Any) -> dict[str, Any]:
    return {"step": index, "type": step.get("type"), "at": clock.iso(clock.now()), "outcome": outcome, **details}


def _log(run: WorkflowRun, entry: dict[str, Any]) -> None:
    run.history = [*run.history, entry]


def _finish(run: WorkflowRun, status: str) -> None:
    run.status, run.due_at, run.finished_at = status, None, clock.now()


def _wake_runner() -> None:
    bus = db.current().bus
    if bus.automation_ready:
        db.after_commit(bus.automation_ready.publish)


def enroll(workflow: Workflow, contact: Contact, trigger: dict[str, Any]) -> WorkflowRun | None:
    """Start a run for this contact unless the workflow's re-entry rule says no."""
    if workflow.status != "active":
        return None
    previous = [status for (status,) in WorkflowRun.select(WorkflowRun.status).where(
        (WorkflowRun.workflow == workflow.id) & (WorkflowRun.contact == contact.id)).tuples()]
    if not decisions.may_enter(workflow.reentry, previous, LIVE_RUN_STATUSES):
        return None
    now = clock.now()
    run = WorkflowRun.create(workflow=workflow.id, contact=contact.id, status="ready", step=0, due_at=now,
                             trigger=trigger, history=[], emails={}, started_at=now)
    _wake_runner()
    return run


def exit_contact_runs(organization_id: str, address: str, reason: str) -> int:
    """End every live run of the contact with this address (e.g. it unsubscribed)."""
    email = contacts.normalize_email(address)
    contact = email and Contact.get_or_none((Contact.organization == organization_id) & (Contact.email == email))
    if not contact:
        return 0
    ended = 0
    for run in WorkflowRun.select().where((WorkflowRun.contact == contact.id)
                                          & WorkflowRun.status.in_(LIVE_RUN_STATUSES)):
        _log(run, {"step": run.step, "type": "exit", "at": clock.iso(clock.now()), "outcome": "exited",
                   "reason": reason})
        _finish(run, "exited")
        run.save()
        ended += 1
    return ended


def _ready(limit: datetime | None) -> Any:
    """Ready runs due by `limit` (None: each on its workflow's organization's clock now; events/due.py)."""
    return (WorkflowRun.status == "ready") & due_rules.condition(WorkflowRun.due_at, Workflow.organization, limit)


def next_due(limit: datetime) -> datetime | None:
    run = WorkflowRun.select(WorkflowRun.due_at).join(Workflow).where(_ready(limit)) \
        .order_by(WorkflowRun.due_at).first()
    return None if run is None else run.due_at


def ready_ids(limit: datetime | None, count: int) -> list[tuple[str, str]]:
    """(run id, organization id) of ready runs, soonest first."""
    return list(WorkflowRun.select(WorkflowRun.id, Workflow.organization).join(Workflow).where(_ready(limit))
                .order_by(WorkflowRun.due_at, WorkflowRun.started_at).limit(count).tuples())


def resume(payload: dict[str, Any], job: Any) -> None:
    """The RESUME_JOB handler: a wait is over; the run is ready for its next step."""
    run = WorkflowRun.get_or_none(WorkflowRun.id == payload["run_id"])
    if run is None or run.status != "waiting" or run.step != payload["step"]:
        return  # it exited (or was removed) while waiting
    run.status, run.due_at = "ready", job.run_at
    run.save()
    _wake_runner()


def proceed(run_id: str) -> StepWork | None:
    """Do a ready run's database-only steps; the first step needing the runner is returned."""
    run = WorkflowRun.get_or_none(WorkflowRun.id == run_id)
    if run is None or run.status != "ready":
        return None
    workflow: Workflow = run.workflow
    contact: Contact = run.contact
    steps = workflow.steps
    try:
        while run.status == "ready":
            if run.step >= len(steps):
                _finish(run, "completed")
                break
            index, step = run.step, steps[run.step]
            kind = step["type"]
            if kind in ("send_email", "call_url"):
                if kind == "send_email" and contact.status != "subscribed":
                    _log(run, _entry(index, step, "skipped", reason=f"the contact is {contact.status}"))
                    run.step += 1
                    continue
                run.save()
                return StepWork(run.id, index, step, workflow.organization_id, workflow.id,
                                contact_variables(contact), run.trigger)
            _database_step(run, workflow, contact, index, step)
    except Exception as exc:  # a step that cannot be done ends the run, saying why
        _log(run, _entry(run.step, steps[run.step] if run.step < len(steps) else {}, "failed",
                         error=f"{type(exc).__name__}: {exc}"))
        _finish(run, "failed")
    run.save()
    return None


def _database_step(run: WorkflowRun, workflow: Workflow, contact: Contact, index: int,
                   step: dict[str, Any]) -> None:
    kind, now = step["type"], clock.now()
    if kind == "wait":
        until = decisions.wait_until(step, now, contact.attributes or {})
        if until is None:
            _log(run, _entry(index, step, "skipped", reason=f"no date in attribute {step.get('until_attribute')}"))
        elif until > now:
            _log(run, _entry(index, step, "waiting", until=clock.iso(until)))
            run.status, run.due_at = "waiting", None
            jobs.schedule(RESUME_JOB, {"run_id": run.id, "step": index + 1}, at=until)
        else:
            _log(run, _entry(index, step, "waited", until=clock.iso(until)))
        run.step = index + 1
        return
    if kind == "condition":
        answer = _condition(run, contact, step)
        target = decisions.branch(step, answer)
        _log(run, _entry(index, step, "yes" if answer else "no",
                         next="exit" if target is None else target))
        if target is None:
            _finish(run, "completed")
        else:
            run.step = target
        return
    if kind in ("add_to_list", "remove_from_list"):
        if kind == "add_to_list":
            contacts.add_to_lists([contact.id], [step["list_id"]])
        else:
            ContactListMember.delete().where((ContactListMember.contact_list == step["list_id"])
                                             & (ContactListMember.contact == contact.id)).execute()
        _log(run, _entry(index, step, "done", list_id=step["list_id"]))
    elif kind == "update_attribute":
        contact.attributes = contacts.merge_attributes(contact.attributes or {}, {step["attribute"]: step["value"]})
        contact.updated_at = now
        contact.save()
        _log(run, _entry(index, step, "done", attribute=step["attribute"], value=step["value"]))
    elif kind == "exit":
        _log(run, _entry(index, step, "exited"))
        _finish(run, "completed")
        return
    run.step = index + 1


def _condition(run: WorkflowRun, contact: Contact, step: dict[str, Any]) -> bool:
    if step.get("email_step") is None:
        return decisions.attribute_matches(contact.attributes or {}, step)
    email_id = run.emails.get(str(step["email_step"]))
    if email_id is None:  # that step did not send (skipped): nothing happened to it
        return False
    types = {t for (t,) in Event.select(Event.type).where(
        (Event.email == email_id) & (Event.recipient == contact.email)).tuples()}
    return decisions.email_outcome(types, step["email_event"])


def record_step(work: StepWork, outcome: str, email_id: str | None = None, **details: Any) -> bool:
    """Write what the runner did for a step and move the run on (in the caller's unit of work);
    False when the run is no longer at that step (it exited meanwhile)."""
    run = WorkflowRun.get_or_none(WorkflowRun.id == work.run_id)
    if run is None or run.status != "ready" or run.step != work.index:
        return False
    if email_id is not None:
        run.emails = {**run.emails, str(work.index): email_id}
        details["email_id"] = email_id
    _log(run, _entry(work.index, work.step, outcome, **details))
    if outcome == "failed":
        _finish(run, "failed")
    else:
        run.step = work.index + 1
    run.save()
    return True


def still_at(work: StepWork) -> bool:
    run = WorkflowRun.get_or_none(WorkflowRun.id == work.run_id)
    return run is not None and run.status == "ready" and run.step == work.index
