"""/api/v1/sandbox/clock/: read, advance and reset the calling organization's clock."""
from __future__ import annotations

from datetime import timedelta
from typing import Any

from sanic import Blueprint, Request
from sanic.response import HTTPResponse

from gclap_sandbox import clock
from gclap_sandbox.api.responses import json_response
from gclap_sandbox.api.routing import API_PREFIX, endpoint
from gclap_sandbox.events import jobs, timeline
from gclap_sandbox.schema import DateTime, Number, Obj
from gclap_sandbox.schema_rules import OneOf
from gclap_sandbox.state_errors import time_conflict

bp = Blueprint("sandbox_clock", url_prefix=API_PREFIX, strict_slashes=False)
MAX_ADVANCE = 10 * 366 * 86400  # ten years


ADVANCE_BODY = Obj({
    "seconds": Number(minimum=0, maximum=MAX_ADVANCE, description="How far to move forward."),
    "to": DateTime(description="The moment to move forward to: not before the sandbox's now, at most "
                               f"{MAX_ADVANCE // 86400} days after it (else 409 `sandbox-time-conflict`)."),
}, rules=[OneOf("seconds", "to")])

CLOCK_SCHEMA = {"type": "object", "properties": {
    "now": {"type": "string", "format": "date-time", "description": "The sandbox's time."},
    "offset_seconds": {"type": "number", "description": "How far ahead of real time it is."},
    "real_now": {"type": "string", "format": "date-time"},
    "pending_jobs": {"type": "integer"},
    "next_job_at": {"type": ["string", "null"], "format": "date-time"},
    "jobs_run": {"type": "integer", "description": "Jobs run by this advance."}}}


def _queue() -> dict[str, Any]:
    return {"pending_jobs": jobs.pending_count(), "next_job_at": clock.iso(jobs.next_run_at())}


@endpoint(bp, "GET", "/sandbox/clock/", scope="sandbox:control", summary="The organization's clock",
          responses={200: {"description": "Current time and offset.", "schema": CLOCK_SCHEMA}})
async def get_clock(request: Request) -> HTTPResponse:
    ctx = request.app.ctx.sandbox
    organization_id = request.ctx.principal.organization_id
    stored, queue = await ctx.db.run(lambda: (timeline.load_offset(organization_id), _queue()))
    ctx.clock.set_offset(organization_id, timedelta(seconds=stored))  # as another process may have left it
    return json_response({**timeline.status(ctx.clock), **queue})


@endpoint(bp, "POST", "/sandbox/clock/advance/", scope="sandbox:control", summary="Move the clock forward",
          description="Moves the calling key's organization's time forward (other organizations keep "
          "theirs) and, before answering, runs every job of that organization that became due "
          "(simulated events, retries, ...) in due order.", body=ADVANCE_BODY,
          responses={200: {"description": "The clock after the move.", "schema": CLOCK_SCHEMA},
                     409: {"description": "`to` is before the sandbox's now, or too far after it."}})
async def advance(request: Request) -> HTTPResponse:
    ctx = request.app.ctx.sandbox
    body = request.ctx.body
    if "to" in body:
        target = body["to"]
        if target > clock.now() + timedelta(seconds=MAX_ADVANCE):
            raise time_conflict("to", f"At most {MAX_ADVANCE // 86400} days ahead of the sandbox's now "
                                      f"({clock.iso(clock.now())}) in one move.")
        if target < clock.now() - timedelta(seconds=1):
            raise time_conflict("to", f"Must not be before the sandbox's now ({clock.iso(clock.now())}); "
                                      "the clock only moves forward (use reset to go back).")
        moved = await timeline.advance_clock(ctx, target)
    else:
        moved = await timeline.advance_clock(ctx, seconds=body["seconds"])
    return json_response({**moved, **await ctx.db.run(_queue)})


@endpoint(bp, "POST", "/sandbox/clock/reset/", scope="sandbox:control", summary="Back to real time",
          description="Sets the organization's offset to zero. Scheduled jobs keep their due times.",
          responses={200: {"description": "The clock after the reset.", "schema": CLOCK_SCHEMA}})
async def reset(request: Request) -> HTTPResponse:
    ctx = request.app.ctx.sandbox
    moved = await timeline.reset_clock(ctx)
    return json_response({**moved, **await ctx.db.run(_queue)})
