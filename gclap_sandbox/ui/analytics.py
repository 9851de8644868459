"""The Analytics page: sent, delivered, opened, clicked, bounced and complained over a period of
the sandbox clock, charted per hour or day (uPlot, vendored under web/static/vendor/uplot/),
with the period's rates. The figures are analytics/series.py's, the same as
`GET /api/v1/analytics/timeseries/`."""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sanic import Request
from sanic.response import HTTPResponse

from gclap_sandbox import clock
from gclap_sandbox.analytics import series
from gclap_sandbox.schema import Obj, Str
from gclap_sandbox.ui.base import NavItem, db_run, page, render

NAV = NavItem("Analytics", "/analytics", 45)
QUERY = Obj({"period": Str(choices=list(series.PERIODS))})
PERIOD_LABELS = {"24h": "24 hours", "7d": "7 days", "30d": "30 days", "90d": "90 days"}

# What is charted: (series key, label); each chart keeps counts of a like size on one scale.
# The two problem counts are often equal and small: side-by-side bars keep both in sight.
CHARTS = (
    {"id": "volume", "title": "Sending and engagement", "kind": "lines",
     "lines": (("sent", "Sent"), ("delivered", "Delivered"), ("unique_opened", "Opened"), ("unique_clicked", "Clicked"))},
    {"id": "problems", "title": "Bounces and complaints", "kind": "bars",
     "lines": (("bounced", "Bounced"), ("spam", "Complained"))},
)
# The rate cards: (label, count key, rate key, what the rate is of).
RATES = (
    ("Delivered", "delivered", "delivery_rate", "of sent"),
    ("Opened", "unique_opened", "open_rate", "of delivered"),
    ("Clicked", "unique_clicked", "click_rate", "of delivered"),
    ("Bounced", "bounced", "bounce_rate", "of sent"),
    ("Complained", "spam", "spam_rate", "of delivered"),
    ("Unsubscribed", "unsubscribed", "unsubscribe_rate", "of delivered"),
)


def _org(request: Request) -> str:
    return request.app.ctx.sandbox.default_org_id


def chart_data(figures: dict[str, Any]) -> dict[str, Any]:
    """What analytics.js draws: bucket starts (Unix seconds) and one column per charted line."""
    buckets = figures["series"]
    return {
        "interval": figures["period"]["interval"],
        "x": [int(datetime.fromisoformat(b["start"].replace("Z", "+00:00")).timestamp()) for b in buckets],
        "charts": [{"id": chart["id"], "title": chart["title"], "kind": chart["kind"],
                    "lines": [{"key": key, "label": label, "values": [b[key] for b in buckets]}
                              for key, label in chart["lines"]]} for chart in CHARTS],
    }


def span_words(period: dict[str, Any]) -> str:
    """The span in words, e.g. "Nov 24 to Nov 30", "Nov 30" or "Nov 29 10:00 to Nov 30 09:59" (UTC)."""
    start = datetime.fromisoformat(period["start"].replace("Z", "+00:00"))
    last = datetime.fromisoformat(period["end"].replace("Z", "+00:00")) - timedelta(microseconds=1)
    if period["interval"] == "hour":
        return f"{start:%b %-d %H:%M} to {last:%b %-d %H:%M}"
    return f"{start:%b %-d}" if start.date() == last.date() else f"{start:%b %-d} to {last:%b %-d}"


def _overview(organization_id: str, span: series.Span) -> dict[str, Any]:
    figures = series.timeseries(organization_id, span)
    return {"figures": figures, "chart": chart_data(figures), "span": span_words(figures["period"])}


@page("/analytics", name="analytics")
async def analytics_view(request: Request) -> HTTPResponse:
    given = {name: values[0] for name, values in request.args.items() if values and values[0] != ""}
    period = QUERY.validate(given).get("period") or series.DEFAULT_PERIOD
    now = clock.now()
    span = series.span_for({"period": period}, now)
    data = await db_run(request, _overview, _org(request), span)
    return render(request, "analytics.html", period=period, periods=PERIOD_LABELS, rates=RATES,
                  charts=CHARTS, now=clock.iso(now), **data)
