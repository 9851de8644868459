"""The Reports pages: scheduled reports with their next run, a form to schedule or change one,
each report's runs with links to the emails they sent, and "run now". They call the reports
domain (reports/store.py, run.py) and check input with its declaration, as the API does."""
from __future__ import annotations

from typing import Any

from sanic import Request
from sanic.response import HTTPResponse

from gclap_sandbox.http_json import json_body, json_response
from gclap_sandbox.reports import definition, run, schedule, store
from gclap_sandbox.reports.content import SECTIONS
from gclap_sandbox.schema import Int, Obj
from gclap_sandbox.ui.base import NavItem, bp, db_run, organization_of, page, render

NAV = NavItem("Reports", "/reports", 47, group="Analytics")
PAGE_SIZE = 50
PAGING = Obj({"page": Int(minimum=1, maximum=1_000_000, from_string=True)})
# The common zones first in the picker; every IANA name is accepted.
COMMON_ZONES = ("UTC", "Europe/London", "Europe/Paris", "Europe/Berlin", "America/New_York", "America/Chicago",
                "America/Los_Angeles", "America/Sao_Paulo", "Asia/Tokyo", "Asia/Kolkata", "Asia/Singapore",
                "Australia/Sydney")
PERIOD_WORDS = {"previous_day": "the day before", "previous_week": "the week before",
                "previous_month": "the month before", "last_24_hours": "the last 24 hours",
                "last_7_days": "the last 7 days", "last_30_days": "the last 30 days"}


def _org(request: Request) -> str:
    return organization_of(request)


def _choices() -> dict[str, Any]:
    return {"sections": SECTIONS, "periods": PERIOD_WORDS, "weekdays": schedule.WEEKDAYS,
            "frequencies": schedule.FREQUENCIES, "formats": definition.FORMATS,
            "zones": [*COMMON_ZONES, *sorted(schedule.zone_names() - set(COMMON_ZONES))]}


def _listing(organization_id: str, number: int) -> dict[str, Any]:
    total, rows = store.list_reports(organization_id, (number - 1) * PAGE_SIZE, PAGE_SIZE)
    return {"reports": rows, "total": total, "page_number": number, "has_next": number * PAGE_SIZE < total}


@page("/reports", name="reports")
async def reports_view(request: Request) -> HTTPResponse:
    given = {name: values[0] for name, values in request.args.items() if values and values[0] != ""}
    number = PAGING.validate(given).get("page") or 1
    data = await db_run(request, _listing, _org(request), number)
    return render(request, "reports.html", report=None, **_choices(), **data)


def _one(organization_id: str, report_id: str) -> dict[str, Any]:
    total, runs = store.list_runs(organization_id, report_id, 0, PAGE_SIZE)
    return {"report": store.detail(organization_id, report_id), "runs": runs, "run_total": total}


@page("/reports/<report_id:uuid>", name="report")
async def report_view(request: Request, report_id: Any) -> HTTPResponse:
    data = await db_run(request, _one, _org(request), str(report_id))
    return render(request, "report.html", **_choices(), **data)


@bp.post("/ui/api/reports", name="report_create")
async def create(request: Request) -> HTTPResponse:
    body = definition.CREATE_BODY.validate(json_body(request))
    return json_response(await db_run(request, store.create_report, _org(request), body), status=201)


@bp.patch("/ui/api/reports/<report_id:uuid>", name="report_update")
async def update(request: Request, report_id: Any) -> HTTPResponse:
    body = definition.UPDATE_BODY.validate(json_body(request))
    return json_response(await db_run(request, store.update_report, _org(request), str(report_id), body))


@bp.post("/ui/api/reports/<report_id:uuid>/run-now", name="report_run_now")
async def run_now(request: Request, report_id: Any) -> HTTPResponse:
    return json_response(await db_run(request, run.run_now, _org(request), str(report_id)), status=201)


@bp.delete("/ui/api/reports/<report_id:uuid>", name="report_delete")
async def delete(request: Request, report_id: Any) -> HTTPResponse:
    await db_run(request, store.delete_report, _org(request), str(report_id))
    return HTTPResponse(status=204)
