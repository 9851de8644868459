"""/api/v1/analytics/dashboard/: overview statistics computed from the events."""
from __future__ import annotations

from sanic import Blueprint, Request
from sanic.response import HTTPResponse

from gclap_sandbox.api.responses import json_response
from gclap_sandbox.api.routing import API_PREFIX, endpoint
from gclap_sandbox.events import analytics
from gclap_sandbox.schema import Int, Obj

bp = Blueprint("analytics", url_prefix=API_PREFIX, strict_slashes=False)

_COUNTS = {"type": "object", "additionalProperties": {"type": "integer"}}
DASHBOARD_SCHEMA = {"type": "object", "properties": {
    "period": {"type": "object", "properties": {
        "days": {"type": "integer"}, "start": {"type": "string", "format": "date-time"},
        "end": {"type": "string", "format": "date-time"}}},
    "totals": {**_COUNTS, "description": "Event counts: sent, delivered, deferred, bounced (hard_bounced, "
               "soft_bounced), opened, unique_opened, clicked, unique_clicked, unsubscribed, spam, suppressed."},
    "rates": {"type": "object", "additionalProperties": {"type": "number"},
              "description": "Fractions 0-1: delivery and bounce per sent; open, click (unique), unsubscribe "
              "and spam per delivered; click_to_open per unique open."},
    "series": {"type": "array", "items": {**_COUNTS, "properties": {"date": {"type": "string", "format": "date"}}}},
}}

DASHBOARD_QUERY = Obj({"days": Int(minimum=1, maximum=366, from_string=True, default=30,
                                   description="Number of days to include, today included (default: 30).")})


@endpoint(bp, "GET", "/analytics/dashboard/", scope="analytics:read", summary="Dashboard stats",
          description="Totals, rates and a per-day series over the last `days` days of the sandbox clock.",
          query=DASHBOARD_QUERY, responses={200: {"description": "The statistics.", "schema": DASHBOARD_SCHEMA}})
async def dashboard(request: Request) -> HTTPResponse:
    ctx = request.app.ctx.sandbox
    data = await ctx.db.run(analytics.dashboard, request.ctx.principal.organization_id,
                            request.ctx.query["days"])
    return json_response(data)
