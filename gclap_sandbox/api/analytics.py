"""/api/v1/analytics/dashboard/ and /timeseries/: statistics computed from the events."""
from __future__ import annotations

from sanic import Blueprint, Request
from sanic.response import HTTPResponse

from gclap_sandbox import clock
from gclap_sandbox.analytics import series
from gclap_sandbox.api.responses import json_response
from gclap_sandbox.api.routing import API_PREFIX, endpoint
from gclap_sandbox.events import analytics
from gclap_sandbox.schema import DateTime, Int, Obj, Str
from gclap_sandbox.schema_rules import Excludes, Requires

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


TIMESERIES_SCHEMA = {"type": "object", "properties": {
    "period": {"type": "object", "properties": {
        "start": {"type": "string", "format": "date-time", "description": "Counting starts here."},
        "end": {"type": "string", "format": "date-time", "description": "Counting stops before this."},
        "interval": {"type": "string", "enum": list(series.INTERVALS)},
        "buckets": {"type": "integer"}}},
    "totals": DASHBOARD_SCHEMA["properties"]["totals"],
    "rates": DASHBOARD_SCHEMA["properties"]["rates"],
    "series": {"type": "array", "description": "One entry per bucket, oldest first; an empty bucket has zeros.",
               "items": {**_COUNTS, "properties": {"start": {
                   "type": "string", "format": "date-time", "description": "The bucket's first instant (UTC)."}}}},
}}

TIMESERIES_QUERY = Obj({
    "period": Str(choices=list(series.PERIODS), description=(
        f"Whole intervals back from the current one (default: `{series.DEFAULT_PERIOD}`): `24h` by hour is "
        "this hour and the 23 before it, `7d` by day is today and the six days before.")),
    "from": DateTime(description="Start of an explicit range (ISO 8601); instead of `period`."),
    "to": DateTime(description="End of the range, exclusive (default: now)."),
    "interval": Str(choices=list(series.INTERVALS), description=(
        "Bucket size, on whole UTC hours or days (default: `hour` for spans of two days or less, else `day`). "
        f"At most {series.MAX_BUCKETS} buckets.")),
}, rules=[Excludes("period", "from"), Requires("to", "from")])


@endpoint(bp, "GET", "/analytics/timeseries/", scope="analytics:read", summary="Time series",
          description="Event counts per hour or per day (sent, delivered, opened, clicked, bounced, spam, ...), "
          "every bucket listed, with the totals and rates for the whole span, on the sandbox clock.",
          query=TIMESERIES_QUERY, responses={200: {"description": "The series.", "schema": TIMESERIES_SCHEMA}})
async def timeseries(request: Request) -> HTTPResponse:
    ctx = request.app.ctx.sandbox
    span = series.span_for(request.ctx.query, clock.now())
    data = await ctx.db.run(series.timeseries, request.ctx.principal.organization_id, span)
    return json_response(data)
