"""The exact shapes of what /api/v1/automation/ answers: workflows, runs and their history.

Every field is stated with its type, its values where they are few, and whether it can be
null; no other field appears (`additionalProperties: false`), so a client generated from the
document, or a validator such as Schemathesis, holds the real answers to it. A workflow's
trigger and steps are the shapes its requests take (components WorkflowTrigger, WorkflowStep).
"""
from __future__ import annotations

from typing import Any

from gclap_sandbox.automation import definition
from gclap_sandbox.models.automation import RUN_STATUSES, WORKFLOW_STATUSES

STEP_TYPES = ("send_email", "wait", "condition", "add_to_list", "remove_from_list", "update_attribute",
              "call_url", "exit")
# What a step did, as its history entry says (automation/runs.py, automation/actions.py).
OUTCOMES = ("sent", "skipped", "waiting", "waited", "yes", "no", "done", "called", "failed_call", "exited",
            "failed")

_ID = {"type": "string", "format": "uuid"}
_TEXT = {"type": "string"}
_WHEN = {"type": "string", "format": "date-time"}
_COUNT = {"type": "integer", "minimum": 0}


def exact(properties: dict[str, Any], *, optional: tuple[str, ...] = (), **extra: Any) -> dict[str, Any]:
    """An object with exactly these properties, all present but the `optional` ones."""
    return {"type": "object", "properties": properties,
            "required": [name for name in properties if name not in optional],
            "additionalProperties": False, **extra}


WORKFLOW: dict[str, Any] = exact({
    "id": _ID,
    "name": _TEXT,
    "description": _TEXT,
    "status": {"type": "string", "enum": list(WORKFLOW_STATUSES)},
    "trigger": {"$ref": "#/components/schemas/WorkflowTrigger"},
    "steps": {"type": "array", "items": {"$ref": "#/components/schemas/WorkflowStep"}},
    "reentry": {"type": "string", "enum": list(definition.REENTRY)},
    "runs": {**exact({status: _COUNT for status in RUN_STATUSES}), "description": "How many runs are in each status."},
    "created_at": _WHEN,
    "updated_at": _WHEN,
})


def _enrolled_by(kind: str, **fields: Any) -> dict[str, Any]:
    return exact({"type": {"const": kind}, **fields})


RUN_TRIGGER: dict[str, Any] = {"description": "What enrolled the contact: the trigger's type and what it saw.",
                               "oneOf": [
    _enrolled_by("contact_created"),
    _enrolled_by("added_to_list", list_id=_ID),
    _enrolled_by("email_event", event={"type": "string", "enum": list(definition.EMAIL_EVENTS)},
                 email_id={**_ID, "description": "The email it happened to."}),
    _enrolled_by("date_attribute", attribute=_TEXT, date={**_TEXT, "description": "The attribute's value."},
                 on={"type": "string", "format": "date", "description": "The day it enrolled."}),
    _enrolled_by("custom_event", event=_TEXT, properties={"type": "object", "description": "As posted."}),
    _enrolled_by("manual"),
]}

HISTORY_ENTRY: dict[str, Any] = exact({
    "step": {"type": "integer", "minimum": 0, "description": "The step's index."},
    "type": {"type": ["string", "null"], "enum": [*STEP_TYPES, None],
             "description": "The step's type (null when a run failed past its last step)."},
    "at": _WHEN,
    "outcome": {"type": "string", "enum": list(OUTCOMES)},
    "reason": {**_TEXT, "description": "Why it was skipped or exited."},
    "until": {**_WHEN, "description": "A wait: when it ends."},
    "next": {"description": "A condition: the step it went to, or \"exit\".",
             "oneOf": [{"type": "integer", "minimum": 0}, {"const": definition.EXIT}]},
    "list_id": _ID,
    "attribute": _TEXT,
    "value": {"description": "update_attribute: the value set (null removed it)."},
    "email_id": {**_ID, "description": "send_email: the email it sent."},
    "subject": _TEXT,
    "to": _TEXT,
    "url": _TEXT,
    "webhook_id": {**_TEXT, "description": "call_url: the `webhook-id` header it sent."},
    "status": {"type": "integer", "description": "call_url: the HTTP status answered."},
    "error": {**_TEXT, "description": "What went wrong (failed, failed_call)."},
}, optional=("reason", "until", "next", "list_id", "attribute", "value", "email_id", "subject", "to", "url",
             "webhook_id", "status", "error"))

RUN: dict[str, Any] = exact({
    "id": _ID,
    "workflow_id": _ID,
    "contact_id": _ID,
    "contact_email": _TEXT,
    "status": {"type": "string", "enum": list(RUN_STATUSES)},
    "current_step": {"type": "integer", "minimum": 0, "description": "The step it is at, or will do next."},
    "trigger": RUN_TRIGGER,
    "history": {"type": "array", "items": HISTORY_ENTRY, "description": "What each step did, and when."},
    "emails": {"type": "object", "description": "Step index -> id of the email that step sent.",
               "propertyNames": {"pattern": "^[0-9]+$"}, "additionalProperties": _ID},
    "started_at": _WHEN,
    "finished_at": {"type": ["string", "null"], "format": "date-time"},
})

ENROLMENT: dict[str, Any] = exact({
    "workflow_id": _ID,
    "contact_id": _ID,
    "run_id": {"type": ["string", "null"], "format": "uuid", "description": "null when re-entry said no."},
    "enrolled": {"type": "boolean"},
})
ENROLLED: dict[str, Any] = exact({
    "runs": {"type": "array", "items": ENROLMENT},
    "not_found": {**exact({"contact_ids": {"type": "array", "items": _TEXT},
                           "emails": {"type": "array", "items": _TEXT}}),
                  "description": "The ids and addresses given that name no contact."},
})
EVENT_RESULT: dict[str, Any] = exact({
    "event": _TEXT,
    "contact_id": {**_ID, "description": "The contact the address names (created when new)."},
    "runs": {"type": "array", "items": ENROLMENT},
})
