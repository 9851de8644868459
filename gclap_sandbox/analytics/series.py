"""Time series for charts: the event counts per hour or per day over a span of the sandbox clock.

A span is either a `period` counted back from now in whole intervals (`24h` by hour is this hour
and the 23 before it; `7d` by day is today and the six days before), or an explicit `from`/`to`
range (events with from <= occurred_at < to). Buckets start on whole UTC hours or days; every
bucket is listed, an empty one with zeros. The counting itself is events/analytics.py's `Tally`,
so the figures and rates agree with the dashboard's.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from gclap_sandbox import clock
from gclap_sandbox.errors import ValidationFailed
from gclap_sandbox.events import analytics

INTERVALS = {"hour": timedelta(hours=1), "day": timedelta(days=1)}
PERIODS = {"24h": timedelta(hours=24), "7d": timedelta(days=7), "30d": timedelta(days=30),
           "90d": timedelta(days=90)}
DEFAULT_PERIOD = "7d"
MAX_BUCKETS = 1000  # 41 days by the hour; enough for a chart, small enough to count quickly
HOURLY_UP_TO = timedelta(days=2)  # a range this short or shorter is charted by the hour unless asked


@dataclass(frozen=True)
class Span:
    """What one series covers: counting runs from `start` to `until` (exclusive), in buckets of
    `interval` beginning at `first_bucket` (the interval boundary at or before `start`)."""

    start: datetime
    until: datetime
    interval: str

    @property
    def step(self) -> timedelta:
        return INTERVALS[self.interval]

    @property
    def first_bucket(self) -> datetime:
        return floor(self.start, self.interval)

    @property
    def bucket_count(self) -> int:
        return max(1, math.ceil((self.until - self.first_bucket) / self.step))

    def buckets(self) -> list[datetime]:
        return [self.first_bucket + n * self.step for n in range(self.bucket_count)]


def floor(moment: datetime, interval: str) -> datetime:
    """The start of the UTC hour or day `moment` falls in."""
    hour = moment.replace(minute=0, second=0, microsecond=0)
    return hour if interval == "hour" else hour.replace(hour=0)


def span_for(query: dict[str, Any], now: datetime) -> Span:
    """The span a validated query asks for (`period`, or `from` with an optional `to`; `interval`
    optional), or ValidationFailed naming the field to change."""
    if "from" in query:
        start, until = query["from"], query.get("to", now)
        if until <= start:
            raise ValidationFailed({"to" if "to" in query else "from": [
                "The range is empty: `to` must be later than `from` (`to` defaults to now)."]})
        interval = query.get("interval") or ("hour" if until - start <= HOURLY_UP_TO else "day")
        span = Span(start, until, interval)
    else:
        period = query.get("period") or DEFAULT_PERIOD
        length = PERIODS[period]
        interval = query.get("interval") or ("hour" if length <= HOURLY_UP_TO else "day")
        step = INTERVALS[interval]
        current = floor(now, interval)
        # Whole intervals back from the current one, which ends when it ends (now is inside it).
        span = Span(current - (max(1, length // step) - 1) * step, current + step, interval)
    if span.bucket_count > MAX_BUCKETS:
        raise ValidationFailed({"interval": [
            f"That is {span.bucket_count:,} buckets of one {span.interval}; at most {MAX_BUCKETS:,} "
            "fit a chart: choose a longer interval or a shorter range."]})
    return span


def timeseries(organization_id: str, span: Span) -> dict[str, Any]:
    """Counts per bucket, totals and rates for the span. Runs on the DB thread."""
    interval = span.interval
    total, by_bucket = analytics.bucketed(organization_id, span.start, span.until,
                                          lambda moment: floor(moment, interval), span.buckets())
    return {
        "period": {"start": clock.iso(span.start), "end": clock.iso(span.until), "interval": interval,
                   "buckets": span.bucket_count},
        "totals": total.counts,
        "rates": analytics.rates(total.counts),
        "series": [{"start": clock.iso(moment), **tally.counts} for moment, tally in sorted(by_bucket.items())],
    }
