"""The Automation pages: the workflows with their run counts, and one workflow shown as its
steps in words with its runs per contact (status, current step, what each step did and when,
on the sandbox clock). Activate and Pause go through the same unit of work as
`PATCH /api/v1/automation/{id}/` (`automation.workflows.update_workflow`)."""
from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from sanic import Request
from sanic.response import HTTPResponse

from gclap_sandbox import clock
from gclap_sandbox.automation import describe, overview, workflows
from gclap_sandbox.http_json import json_body, json_response
from gclap_sandbox.models.automation import LIVE_RUN_STATUSES, RUN_STATUSES
from gclap_sandbox.schema import Int, Obj, Str
from gclap_sandbox.ui.base import NavItem, bp, db_run, organization_of, page, render, templates

WORKFLOWS_PER_PAGE = 50
RUNS_PER_PAGE = 20
LIST_QUERY = Obj({"page": Int(minimum=1, maximum=1_000_000, from_string=True)})
RUNS_QUERY = Obj({
    "status": Str(choices=list(RUN_STATUSES)),
    "email": Str(max_length=320),
    "page": Int(minimum=1, maximum=1_000_000, from_string=True),
})
STATUS_BODY = Obj({"status": Str(required=True, choices=["active", "paused"],
                                 description="active starts enrolling; paused stops (runs under way go on).")})

NAV = NavItem("Automation", "/automation", 50)


def _org(request: Request) -> str:
    return organization_of(request)


def _given(request: Request, schema: Obj) -> tuple[dict[str, str], dict[str, Any]]:
    """The query's filters as given (for links) and as checked; an unknown or bad one is a 400 page."""
    given = {name: values[0] for name, values in request.args.items() if values and values[0] != ""}
    return given, schema.validate(given)


def _pages(path: str, given: dict[str, str], number: int, has_next: bool) -> dict[str, str | None]:
    def link(n: int) -> str:
        return path + "?" + urlencode({**{k: v for k, v in given.items() if k != "page"}, "page": n})
    return {"previous": link(number - 1) if number > 1 else None, "next": link(number + 1) if has_next else None}


def _summary(workflow: dict[str, Any], names: describe.Names) -> dict[str, Any]:
    counts = workflow["runs"]
    active = sum(counts.get(status, 0) for status in LIVE_RUN_STATUSES)
    return {**workflow, "trigger_words": describe.trigger_words(workflow["trigger"], names),
            "runs_active": active, "runs_finished": sum(counts.values()) - active}


# --- reading (DB thread; a fixed number of queries whatever the page size) ------------------

def list_page(organization_id: str, number: int) -> dict[str, Any]:
    total, rows = overview.workflows_page(organization_id, (number - 1) * WORKFLOWS_PER_PAGE, WORKFLOWS_PER_PAGE)
    names = overview.referenced_names(organization_id, rows)
    return {"workflows": [_summary(row, names) for row in rows], "total": total, "page_number": number,
            "first": (number - 1) * WORKFLOWS_PER_PAGE + 1, "has_next": number * WORKFLOWS_PER_PAGE < total}


def _run_view(run: dict[str, Any], steps: list[dict[str, Any]], names: describe.Names) -> dict[str, Any]:
    index = run["current_step"]
    live = run["status"] in LIVE_RUN_STATUSES and index < len(steps)
    last = len(run["history"]) - 1
    history = [{**entry, "number": entry.get("step", 0) + 1,
                "words": describe.history_words(entry, names, later=position < last),
                "when": describe.time_words(entry.get("at"), seconds=True)}
               for position, entry in enumerate(run["history"])]
    return {**run, "history": history, "enrolled_by": describe.enrolment_words(run["trigger"], names),
            "started": describe.time_words(run["started_at"], seconds=True),
            "finished": describe.time_words(run["finished_at"], seconds=True) if run["finished_at"] else None,
            "at_step": {"number": index + 1, "words": describe.step_words(steps[index], names)} if live else None}


def detail_page(organization_id: str, workflow_id: str, filters: dict[str, Any]) -> dict[str, Any]:
    workflow = workflows.detail(organization_id, workflow_id)
    number = filters.get("page") or 1
    total, runs = workflows.list_runs(organization_id, workflow_id, filters,
                                      (number - 1) * RUNS_PER_PAGE, RUNS_PER_PAGE)
    names = overview.referenced_names(organization_id, [workflow])
    steps = [{"number": index + 1, "index": index, "type": step["type"], "words": describe.step_words(step, names)}
             for index, step in enumerate(workflow["steps"])]
    return {"workflow": _summary(workflow, names), "steps": steps,
            "runs": [_run_view(run, workflow["steps"], names) for run in runs], "run_total": total,
            "page_number": number, "first": (number - 1) * RUNS_PER_PAGE + 1,
            "has_next": number * RUNS_PER_PAGE < total, "now": describe.time_words(clock.now(), seconds=True)}


# --- pages ----------------------------------------------------------------------------------

@page("/automation", name="automation")
async def automation_view(request: Request) -> HTTPResponse:
    given, query = _given(request, LIST_QUERY)
    data = await db_run(request, list_page, _org(request), query.get("page") or 1)
    return render(request, "automation.html", pages=_pages("/automation", given, data["page_number"],
                                                           data["has_next"]), **data)


@page("/automation/<workflow_id:uuid>", name="automation_workflow")
async def workflow_view(request: Request, workflow_id: Any) -> HTTPResponse:
    given, filters = _given(request, RUNS_QUERY)
    data = await db_run(request, detail_page, _org(request), str(workflow_id), filters)
    path = f"/automation/{workflow_id}"
    return render(request, "automation_workflow.html", statuses=RUN_STATUSES,
                  filters={name: str(filters.get(name) or "") for name in ("status", "email")},
                  pages=_pages(path, given, data["page_number"], data["has_next"]), **data)


@bp.post("/ui/api/automation/<workflow_id:uuid>/status", name="automation_status")
async def set_status(request: Request, workflow_id: Any) -> HTTPResponse:
    """Activate or pause a workflow; answers with its status control re-rendered."""
    body = STATUS_BODY.validate(json_body(request))
    workflow = await db_run(request, workflows.update_workflow, _org(request), str(workflow_id), body)
    html = templates.get_template("_automation_status.html").render(workflow=workflow)
    return json_response({"workflow": workflow, "html": html})
