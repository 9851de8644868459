"""/api/v1/analytics/breakdown/: the dashboard's figures by tag, campaign, recipient domain or link,
as JSON or as a CSV export."""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sanic import Blueprint, Request
from sanic.response import HTTPResponse

from gclap_sandbox import clock
from gclap_sandbox.analytics import breakdowns
from gclap_sandbox.api.responses import json_response
from gclap_sandbox.api.routing import API_PREFIX, endpoint
from gclap_sandbox.errors import ValidationFailed
from gclap_sandbox.events.analytics import FIGURES, RATES
from gclap_sandbox.schema import DateTime, Obj, Str

bp = Blueprint("analytics_breakdowns", url_prefix=API_PREFIX, strict_slashes=False)

DEFAULT_SPAN = timedelta(days=30)
MAX_SPAN = timedelta(days=366)

BREAKDOWN_QUERY = Obj({
    "by": Str(required=True, choices=list(breakdowns.DIMENSIONS),
              description="Group by the email's tags, its campaign, the recipient's domain, or the clicked link."),
    "from": DateTime(description="Start of the period, included (default: 30 days before `to`)."),
    "to": DateTime(description="End of the period, excluded (default: the sandbox's now)."),
})

_KEY = {"type": ["string", "null"]}
ROW_SCHEMA: dict[str, Any] = {"type": "object", "properties": {
    "tag": _KEY, "campaign_id": _KEY, "campaign_name": _KEY, "domain": _KEY, "url": _KEY,
    **{name: {"type": "integer"} for name in FIGURES}, **{name: {"type": "number"} for name in RATES}},
    "description": "The row's key (`tag`, `campaign_id` with `campaign_name`, `domain` or `url`; null for "
                   "emails with no tag, no campaign), then the dashboard's counts and rates (by link: "
                   "`clicked` and `unique_clicked` only)."}
BREAKDOWN_SCHEMA = {"type": "object", "properties": {
    "by": {"type": "string", "enum": list(breakdowns.DIMENSIONS)},
    "period": {"type": "object", "properties": {"start": {"type": "string", "format": "date-time"},
                                                "end": {"type": "string", "format": "date-time"}}},
    "columns": {"type": "array", "items": {"type": "string"}, "description": "The row fields in order (the CSV header)."},
    "rows": {"type": "array", "items": ROW_SCHEMA, "description": "Most sent first (by link: most clicked)."}}}


def period(query: dict[str, Any]) -> tuple[datetime, datetime]:
    """(start, end) of the query's period; a 400 naming `from` when it is empty, reversed or too long."""
    end = query.get("to") or clock.now()
    start = query.get("from") or end - DEFAULT_SPAN
    if start >= end:
        raise ValidationFailed({"from": ["Must be before `to` (default: the sandbox's now)."]})
    if end - start > MAX_SPAN:
        raise ValidationFailed({"from": [f"The period may span at most {MAX_SPAN.days} days."]})
    return start, end


async def _breakdown(request: Request) -> dict[str, Any]:
    start, end = period(request.ctx.query)
    return await request.app.ctx.sandbox.db.run(
        breakdowns.breakdown, request.ctx.principal.organization_id, request.ctx.query["by"], start, end)


_DESCRIPTION = ("Counts the organization's events in the period (sandbox clock) the way the dashboard "
                "does, grouped: `tag` (an email with two tags counts under both), `campaign`, `domain` "
                "(of the recipient) or `link` (clicks per original URL).")


@endpoint(bp, "GET", "/analytics/breakdown/", scope="analytics:read", summary="Dashboard figures, grouped",
          description=_DESCRIPTION, query=BREAKDOWN_QUERY,
          responses={200: {"description": "The rows.", "schema": BREAKDOWN_SCHEMA}})
async def breakdown(request: Request) -> HTTPResponse:
    return json_response(await _breakdown(request))


@endpoint(bp, "GET", "/analytics/breakdown/export.csv", scope="analytics:read",
          summary="Dashboard figures, grouped, as CSV",
          description=_DESCRIPTION + " The same rows as the JSON route, header row first (`columns`).",
          query=BREAKDOWN_QUERY,
          responses={200: {"description": "CSV (UTF-8, CRLF line ends).", "content_type": "text/csv"}})
async def breakdown_csv(request: Request) -> HTTPResponse:
    result = await _breakdown(request)
    name = f"gclap-{result['by']}-breakdown.csv"
    return HTTPResponse(breakdowns.to_csv(result), content_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{name}"'})
