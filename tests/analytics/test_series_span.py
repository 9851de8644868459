"""Which buckets a time series covers (analytics/series.py `span_for`), without a server: a
period counts whole intervals back from the current one; a range starts its buckets on the
hour or day at or before `from` and ends before `to`."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from gclap_sandbox.analytics import series
from gclap_sandbox.errors import ValidationFailed

NOW = datetime(2026, 3, 29, 14, 37, 12, tzinfo=timezone.utc)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=timezone.utc)


def test_the_last_24_hours_are_this_hour_and_the_23_before_it():
    span = series.span_for({"period": "24h"}, NOW)
    assert (span.interval, span.bucket_count) == ("hour", 24)
    assert span.buckets()[0] == at("2026-03-28T15:00") and span.buckets()[-1] == at("2026-03-29T14:00")
    assert span.until == at("2026-03-29T15:00")


def test_the_last_7_days_are_today_and_the_six_before_it_and_the_default():
    span = series.span_for({}, NOW)
    assert (span.interval, span.bucket_count, span.start) == ("day", 7, at("2026-03-23T00:00"))
    assert span.until == at("2026-03-30T00:00")


def test_a_period_by_a_finer_interval_keeps_its_length():
    assert series.span_for({"period": "7d", "interval": "hour"}, NOW).bucket_count == 168
    assert series.span_for({"period": "24h", "interval": "day"}, NOW).buckets() == [at("2026-03-29T00:00")]


def test_a_range_counts_from_its_start_in_buckets_beginning_on_the_hour_before_it():
    span = series.span_for({"from": at("2026-03-29T09:30"), "to": at("2026-03-29T12:00")}, NOW)
    assert span.start == at("2026-03-29T09:30")
    assert span.buckets() == [at("2026-03-29T09:00"), at("2026-03-29T10:00"), at("2026-03-29T11:00")]


def test_a_range_without_an_end_runs_to_now_and_a_long_one_is_counted_by_day():
    assert series.span_for({"from": at("2026-03-28T14:37")}, NOW).interval == "hour"
    span = series.span_for({"from": at("2026-03-20T00:00")}, NOW)
    assert (span.interval, span.until, span.bucket_count) == ("day", NOW, 10)


def test_a_bucket_that_would_overflow_the_chart_names_the_interval():
    with pytest.raises(ValidationFailed) as refused:
        series.span_for({"from": NOW - timedelta(days=42), "interval": "hour"}, NOW)
    assert list(refused.value.errors) == ["interval"]
    assert series.span_for({"from": NOW - timedelta(days=41), "interval": "hour"}, NOW).bucket_count <= 1000
