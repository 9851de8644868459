"""/api/v1/analytics/scheduled-reports/: reports emailed on a schedule of the sandbox clock."""
from __future__ import annotations

from typing import Any

from sanic import Blueprint, Request
from sanic.response import HTTPResponse

from gclap_sandbox.api.pagination import PAGE_FIELDS, envelope, envelope_schema, offset_limit
from gclap_sandbox.api.responses import json_response
from gclap_sandbox.api.routing import API_PREFIX, endpoint
from gclap_sandbox.reports import definition, run, schedule, store
from gclap_sandbox.reports.content import SECTIONS
from gclap_sandbox.schema import Obj

bp = Blueprint("scheduled_reports", url_prefix=API_PREFIX, strict_slashes=False)

REPORTS = "/analytics/scheduled-reports/"
REPORT_PATH = REPORTS + "<report_id:uuid>/"
PAGE_QUERY = Obj(PAGE_FIELDS)

_WHEN = {"type": ["string", "null"], "format": "date-time"}
_TIME = {"type": "string", "format": "date-time"}
_STRS = {"type": "array", "items": {"type": "string"}}
REPORT_SCHEMA: dict[str, Any] = {"type": "object", "properties": {
    "id": {"type": "string", "format": "uuid"}, "name": {"type": "string"},
    "schedule": {"$ref": "#/components/schemas/ReportSchedule"},
    "schedule_text": {"type": "string", "description": "The schedule in words."},
    "recipients": _STRS, "sections": {"type": "array", "items": {"type": "string", "enum": list(SECTIONS)}},
    "period": {"type": "string", "enum": list(schedule.PERIODS)},
    "formats": {"type": "array", "items": {"type": "string", "enum": list(definition.FORMATS)}},
    "enabled": {"type": "boolean"},
    "next_run_at": {**_WHEN, "description": "When it runs next (null: disabled, or never again)."},
    "last_run_at": _WHEN, "created_at": _TIME, "updated_at": _TIME}}
RUN_SCHEMA: dict[str, Any] = {"type": "object", "properties": {
    "id": {"type": "string", "format": "uuid"}, "report_id": {"type": "string", "format": "uuid"},
    "trigger": {"type": "string", "enum": ["schedule", "manual"]},
    "scheduled_for": {**_WHEN, "description": "The schedule's time (null for run-now)."}, "ran_at": _TIME,
    "period": {"type": "object", "properties": {"start": _TIME, "end": _TIME},
               "description": "What the run covered: start included, end excluded."},
    "email_ids": {**_STRS, "description": "The report email in this sandbox's inbox (`/api/v1/emails/{id}/`)."}}}
_MISSING = {404: {"description": "No scheduled report with this id."}}


def _org(request: Request) -> str:
    return request.ctx.principal.organization_id


@endpoint(bp, "GET", REPORTS, scope="analytics:read", summary="List scheduled reports", query=PAGE_QUERY,
          description="Newest first, each with its `next_run_at`.",
          responses={200: {"description": "A page of reports.", "schema": envelope_schema(REPORT_SCHEMA)}})
async def list_reports(request: Request) -> HTTPResponse:
    offset, limit = offset_limit(request.ctx.query)
    count, rows = await request.app.ctx.sandbox.db.run(store.list_reports, _org(request), offset, limit)
    return json_response(envelope(request, count, rows))


@endpoint(bp, "POST", REPORTS, scope="analytics:write", summary="Schedule a report",
          description="Runs on the sandbox clock: at each time the schedule gives, the report's email (the "
                      "sandbox's own mail, not counted in analytics or quotas, never relayed) lands in this "
                      "sandbox's inbox. Daily, weekly and monthly times are local to `timezone`, also across "
                      "daylight-saving changes; a cron schedule runs at most once an hour.",
          body=definition.CREATE_BODY, responses={201: {"description": "Scheduled.", "schema": REPORT_SCHEMA}})
async def create_report(request: Request) -> HTTPResponse:
    data = await request.app.ctx.sandbox.db.run(store.create_report, _org(request), request.ctx.body)
    return json_response(data, status=201)


@endpoint(bp, "GET", REPORT_PATH, scope="analytics:read", summary="A scheduled report",
          responses={200: {"description": "The report.", "schema": REPORT_SCHEMA}, **_MISSING})
async def get_report(request: Request, report_id: Any) -> HTTPResponse:
    return json_response(await request.app.ctx.sandbox.db.run(store.detail, _org(request), str(report_id)))


@endpoint(bp, "PATCH", REPORT_PATH, scope="analytics:write", summary="Change a scheduled report",
          description="Fields left out stay as they are; the next run is planned again from the sandbox's now.",
          body=definition.UPDATE_BODY,
          responses={200: {"description": "The changed report.", "schema": REPORT_SCHEMA}, **_MISSING})
async def update_report(request: Request, report_id: Any) -> HTTPResponse:
    return json_response(await request.app.ctx.sandbox.db.run(
        store.update_report, _org(request), str(report_id), request.ctx.body))


@endpoint(bp, "DELETE", REPORT_PATH, scope="analytics:write", summary="Delete a scheduled report",
          description="Its runs go with it; the emails it sent stay in the inbox.",
          responses={204: {"description": "Deleted."}, **_MISSING})
async def delete_report(request: Request, report_id: Any) -> HTTPResponse:
    await request.app.ctx.sandbox.db.run(store.delete_report, _org(request), str(report_id))
    return HTTPResponse(status=204)


@endpoint(bp, "POST", REPORT_PATH + "run-now/", scope="analytics:write", summary="Run a report now",
          description="Sends the report for the period before the sandbox's now; the schedule is unchanged.",
          responses={201: {"description": "The run, with its email.", "schema": RUN_SCHEMA}, **_MISSING})
async def run_now(request: Request, report_id: Any) -> HTTPResponse:
    data = await request.app.ctx.sandbox.db.run(run.run_now, _org(request), str(report_id))
    return json_response(data, status=201)


@endpoint(bp, "GET", REPORT_PATH + "runs/", scope="analytics:read", summary="A report's runs",
          description="Newest first, each with the period it covered and its email.", query=PAGE_QUERY,
          responses={200: {"description": "A page of runs.", "schema": envelope_schema(RUN_SCHEMA)}, **_MISSING})
async def list_runs(request: Request, report_id: Any) -> HTTPResponse:
    offset, limit = offset_limit(request.ctx.query)
    count, rows = await request.app.ctx.sandbox.db.run(store.list_runs, _org(request), str(report_id), offset, limit)
    return json_response(envelope(request, count, rows))
