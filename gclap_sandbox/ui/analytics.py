"""The Analytics page: sent, delivered, opened, clicked, bounced and complained over a period of
the sandbox clock, charted per hour or day (uPlot, vendored under web/static/vendor/uplot/),
with the period's rates, and the same period broken down by recipient domain, tag, campaign and
link (analytics/breakdowns.py), each downloadable as CSV, and the alert configs with their state
(alerts/store.py, worded as the Alerts pages word them). The figures are those of
`GET /api/v1/analytics/timeseries/` and `/breakdown/`."""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sanic import Request
from sanic.response import HTTPResponse, raw

from gclap_sandbox import clock
from gclap_sandbox.alerts import store as alert_store
from gclap_sandbox.analytics import breakdowns, series
from gclap_sandbox.schema import Obj, Str
from gclap_sandbox.ui.alerts import described
from gclap_sandbox.ui.base import NavItem, db_run, organization_of, page, render

NAV = NavItem("Analytics", "/analytics", 45, group="Analytics")
QUERY = Obj({"period": Str(choices=list(series.PERIODS))})
CSV_QUERY = Obj({"by": Str(required=True, choices=list(breakdowns.DIMENSIONS)),
                 "period": Str(choices=list(series.PERIODS))})
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
# The breakdown tables: (by, title, heading of the key column, what a missing key means).
BREAKDOWNS = (
    ("domain", "By recipient domain", "Domain", "no recipient"),
    ("tag", "By tag", "Tag", "no tag"),
    ("campaign", "By campaign", "Campaign", "not from a campaign"),
    ("link", "Most clicked links", "Link", "no link"),
)
TABLE_ROWS = 15  # the rest is in the CSV
ALERTS_READ = 200  # configs looked at; those firing come first
ALERTS_SHOWN = 10  # the rest are on the Alerts page


def _org(request: Request) -> str:
    return organization_of(request)


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
    tables = {by: breakdowns.breakdown(organization_id, by, span.start, span.until) for by, *_ in BREAKDOWNS}
    return {"figures": figures, "chart": chart_data(figures), "span": span_words(figures["period"]),
            "tables": tables, **_alerts(organization_id)}


def _alerts(organization_id: str) -> dict[str, Any]:
    """The alert configs, those firing first (then newest first), with their state in words."""
    total, rows = alert_store.list_configs(organization_id, {}, 0, ALERTS_READ)
    firing = sum(row["state"] == "triggered" for row in rows)
    rows.sort(key=lambda row: row["state"] != "triggered")  # stable: newest first within each
    return {"alerts": [described(row) for row in rows[:ALERTS_SHOWN]], "alerts_total": total,
            "alerts_firing": firing}


def _given(request: Request) -> dict[str, str]:
    """The query string's values, a blank one left out (as the other pages' filters do)."""
    return {name: values[0] for name, values in request.args.items() if values and values[0] != ""}


def _span(given: dict[str, Any]) -> tuple[str, series.Span]:
    period = given.get("period") or series.DEFAULT_PERIOD
    return period, series.span_for({"period": period}, clock.now())


@page("/analytics", name="analytics")
async def analytics_view(request: Request) -> HTTPResponse:
    period, span = _span(QUERY.validate(_given(request)))
    data = await db_run(request, _overview, _org(request), span)
    return render(request, "analytics.html", period=period, periods=PERIOD_LABELS, rates=RATES,
                  charts=CHARTS, breakdowns=BREAKDOWNS, table_rows=TABLE_ROWS, now=clock.iso(clock.now()), **data)


@page("/analytics/breakdown.csv", name="analytics_breakdown_csv")
async def breakdown_csv(request: Request) -> HTTPResponse:
    """One breakdown of the page's period as CSV: the rows of `GET /api/v1/analytics/breakdown/export.csv`."""
    query = CSV_QUERY.validate(_given(request))
    period, span = _span(query)
    result = await db_run(request, breakdowns.breakdown, _org(request), query["by"], span.start, span.until)
    name = f"gclap-{query['by']}-breakdown-{period}.csv"
    return raw(breakdowns.to_csv(result).encode(), content_type="text/csv; charset=utf-8",
               headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"})
