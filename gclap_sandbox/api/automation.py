"""/api/v1/automation/: workflows (a trigger and steps), their runs, custom events, enrolment."""
from __future__ import annotations

from typing import Any

from sanic import Blueprint, Request
from sanic.response import HTTPResponse

from gclap_sandbox.api.contact_fields import contact_ids_field, emails_field
from gclap_sandbox.api.pagination import (
    PAGE_FIELDS,
    envelope,
    envelope_schema,
    offset_limit,
)
from gclap_sandbox.api.automation_schemas import ENROLLED, EVENT_RESULT, RUN, WORKFLOW
from gclap_sandbox.api.responses import json_response
from gclap_sandbox.api.routing import API_PREFIX, endpoint
from gclap_sandbox.automation import definition
from gclap_sandbox.automation import workflows as store
from gclap_sandbox.contacts.store import normalize_email
from gclap_sandbox.mail import message as mail
from gclap_sandbox.models.automation import RUN_STATUSES, WORKFLOW_STATUSES
from gclap_sandbox.schema import Address, Errors, ListOf, MapOf, Obj, Str
from gclap_sandbox.schema_rules import AnyOf

bp = Blueprint("automation", url_prefix=API_PREFIX, strict_slashes=False)

UNKNOWN_REFERENCE = {"description": "A template or list id names nothing of this organization "
                                    "(`unknown-reference`, the field named in `errors`)."}


def _check_positions(data: dict[str, Any], errors: Errors) -> None:
    if data.get("steps"):
        definition.check_positions(data["steps"], errors)


def _workflow_fields(required: bool) -> dict[str, Any]:
    return {
        "name": Str(required=required, min_length=1, max_length=200),
        "description": Str(max_length=2000, nullable=True),
        "status": Str(choices=list(WORKFLOW_STATUSES), description="draft (default), active or paused."),
        "trigger": definition.trigger_field(required=required),
        "steps": ListOf(definition.STEP, max_items=definition.MAX_STEPS,
                        description="Steps in order; a condition's `yes` and `no` name a later step."),
        "reentry": Str(choices=list(definition.REENTRY),
                       description="once (default): a contact runs through it one time; "
                                   "after_finish: again, once its previous run has finished."),
    }


CREATE_BODY = Obj(_workflow_fields(required=True), extra_check=_check_positions)
UPDATE_BODY = Obj(_workflow_fields(required=False), extra_check=_check_positions)
LIST_QUERY = Obj({**PAGE_FIELDS, "status": Str(choices=list(WORKFLOW_STATUSES))})
RUNS_QUERY = Obj({**PAGE_FIELDS, "status": Str(choices=list(RUN_STATUSES)),
                  "email": Str(max_length=320, description="Only the run(s) of the contact with this address.")})
EVENT_BODY = Obj({
    "event": Str(required=True, min_length=1, max_length=100, single_line=True,
                 description="The name a custom_event trigger waits for, e.g. signed_up."),
    "email": Address(required=True, description="The contact's address (a new address becomes a contact)."),
    "properties": MapOf(max_items=100, description="Free-form data; templates see it as `event`."),
})


ENROLL_BODY = Obj({"contact_ids": contact_ids_field(), "emails": emails_field()},
                  rules=[AnyOf("contact_ids", "emails", message="Give `contact_ids`, `emails` or both.")])
WORKFLOW_PATH = "/automation/<workflow_id:uuid>/"


def _org(request: Request) -> str:
    return request.ctx.principal.organization_id


async def _take_first_steps(request: Request) -> None:
    """The runs just started take their steps up to their first wait before the answer, so the
    caller can look for the first email at once."""
    runner = request.app.ctx.sandbox.automation
    if runner is not None:
        await runner.run_due()


@endpoint(bp, "GET", "/automation/", scope="automation:read", summary="List workflows", query=LIST_QUERY,
          responses={200: {"description": "A page of workflows, newest first.", "schema": envelope_schema(WORKFLOW)}})
async def list_workflows(request: Request) -> HTTPResponse:
    offset, limit = offset_limit(request.ctx.query)
    count, rows = await request.app.ctx.sandbox.db.run(store.list_workflows, _org(request),
                                                       request.ctx.query.get("status"), offset, limit)
    return json_response(envelope(request, count, rows))


@endpoint(bp, "POST", "/automation/", scope="automation:write", summary="Create a workflow", body=CREATE_BODY,
          description="A 400 names the bad part, e.g. `steps[2].duration`; a template or list id that names "
                      "nothing of yours is a 404 `unknown-reference` naming it, e.g. `steps[2].template_id`.",
          responses={201: {"description": "Created.", "schema": WORKFLOW}, 404: UNKNOWN_REFERENCE})
async def create_workflow(request: Request) -> HTTPResponse:
    data = await request.app.ctx.sandbox.db.run(store.create_workflow, _org(request), request.ctx.body)
    return json_response(data, status=201)


@endpoint(bp, "GET", WORKFLOW_PATH, scope="automation:read", summary="Get a workflow",
          responses={200: {"description": "The workflow.", "schema": WORKFLOW}, 404: {}})
async def get_workflow(request: Request, workflow_id: Any) -> HTTPResponse:
    return json_response(await request.app.ctx.sandbox.db.run(store.detail, _org(request), str(workflow_id)))


@endpoint(bp, "PATCH", WORKFLOW_PATH, scope="automation:write", summary="Change a workflow", body=UPDATE_BODY,
          description="Set `status` to active to start enrolling, paused to stop (runs under way go on).",
          responses={200: {"description": "The changed workflow.", "schema": WORKFLOW},
                     404: {"description": "No such workflow, or " + UNKNOWN_REFERENCE["description"]}})
async def update_workflow(request: Request, workflow_id: Any) -> HTTPResponse:
    data = await request.app.ctx.sandbox.db.run(store.update_workflow, _org(request), str(workflow_id),
                                                request.ctx.body)
    return json_response(data)


@endpoint(bp, "DELETE", WORKFLOW_PATH, scope="automation:write", summary="Delete a workflow and its runs",
          responses={204: {"description": "Deleted."}, 404: {}})
async def delete_workflow(request: Request, workflow_id: Any) -> HTTPResponse:
    await request.app.ctx.sandbox.db.run(store.delete_workflow, _org(request), str(workflow_id))
    return HTTPResponse(status=204)


@endpoint(bp, "GET", WORKFLOW_PATH + "runs/", scope="automation:read", summary="List a workflow's runs",
          query=RUNS_QUERY, description="One run per enrolment: its current step and what each step did.",
          responses={200: {"description": "A page of runs, newest first.", "schema": envelope_schema(RUN)},
                     404: {}})
async def list_runs(request: Request, workflow_id: Any) -> HTTPResponse:
    offset, limit = offset_limit(request.ctx.query)
    count, rows = await request.app.ctx.sandbox.db.run(store.list_runs, _org(request), str(workflow_id),
                                                       request.ctx.query, offset, limit)
    return json_response(envelope(request, count, rows))


@endpoint(bp, "POST", WORKFLOW_PATH + "enroll/", scope="automation:write", summary="Enrol contacts by hand",
          body=ENROLL_BODY, description="The workflow must be active; its re-entry rule applies.",
          responses={200: {"description": "A run per contact (`enrolled` false when re-entry said no).",
                           "schema": ENROLLED}, 404: {}, 409: {"description": "The workflow is not active."}})
async def enroll(request: Request, workflow_id: Any) -> HTTPResponse:
    body = request.ctx.body
    data = await request.app.ctx.sandbox.db.run(store.enroll_manually, _org(request), str(workflow_id),
                                                body.get("contact_ids") or [], body.get("emails") or [])
    await _take_first_steps(request)
    return json_response(data)


@endpoint(bp, "POST", "/automation/events/", scope="automation:write", summary="Post a custom event",
          body=EVENT_BODY, description="Enrols the contact in every active workflow whose custom_event "
                                       "trigger names this event; the runs take their steps up to their "
                                       "first wait before the answer.",
          responses={202: {"description": "The runs it started.", "schema": EVENT_RESULT}})
async def post_event(request: Request) -> HTTPResponse:
    body = dict(request.ctx.body)
    body["email"] = normalize_email(mail.split_address(body["email"])[1])
    data = await request.app.ctx.sandbox.db.run(store.post_custom_event, _org(request), body)
    await _take_first_steps(request)
    return json_response(data, status=202)
