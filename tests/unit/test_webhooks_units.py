"""Pure parts of webhooks: signing (checked against standardwebhooks), the retry schedule, and
the span after which a failing endpoint is disabled."""
from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime

import pytest
from standardwebhooks.webhooks import Webhook

from gclap_sandbox.webhooks import health, schedule, signing


def test_signatures_verify_with_the_standard_library_for_every_live_secret():
    old, new = signing.new_secret(), signing.new_secret()
    body, stamp = '{"type":"email.sent"}', int(time.time())
    headers = signing.headers([new, old], "msg_1", stamp, body)
    assert headers["webhook-signature"].count("v1,") == 2
    for secret in (old, new):
        assert Webhook(secret).verify(body, headers) == {"type": "email.sent"}


def test_the_schedule_runs_out_after_eight_attempts():
    delays = [schedule.next_delay(n) for n in range(1, 9)]
    assert delays == [5, 300, 1800, 7200, 18000, 36000, 36000, None]
    assert schedule.MAX_ATTEMPTS == 8


def test_retry_after_only_ever_pushes_the_retry_later_and_is_capped():
    assert schedule.next_delay(1, 120) == 120
    assert schedule.next_delay(3, 1) == 1800
    assert schedule.next_delay(1, 10 ** 9) == schedule.MAX_RETRY_AFTER


def test_retry_after_reads_seconds_and_http_dates():
    now = datetime(2026, 1, 1, tzinfo=timezone.utc)
    assert schedule.parse_retry_after("30") == 30
    assert schedule.parse_retry_after(format_datetime(now + timedelta(seconds=90), usegmt=True), now) == 90
    assert schedule.parse_retry_after("soon") is None and schedule.parse_retry_after(None) is None


@pytest.mark.parametrize("text, seconds, described", [
    ("5d", 5 * 86400, "5 days"), ("36h", 36 * 3600, "1 day 12 hours"), ("1d12h", 36 * 3600, "1 day 12 hours"),
    ("90m", 5400, "1 hour 30 minutes"), ("2w", 14 * 86400, "2 weeks"), ("30s", 30, "30 seconds"),
    (" 1.5D ", 36 * 3600, "1 day 12 hours"), ("0", 0, "never"),
])
def test_disable_spans_read_units_and_describe_themselves(text, seconds, described):
    assert health.parse_span(text) == seconds
    assert health.describe_span(seconds) == described


@pytest.mark.parametrize("text", ["50", "", "d", "5x", "-1d", "5d-", "1e9d", "3651d"])
def test_a_span_without_units_or_out_of_range_is_refused(text):
    with pytest.raises(ValueError):
        health.parse_span(text)


def test_only_a_failure_a_whole_span_after_the_first_disables():
    start = datetime(2026, 1, 1, tzinfo=timezone.utc)
    assert not health.disables(start, start + timedelta(days=5, seconds=-1), 5 * 86400)
    assert health.disables(start, start + timedelta(days=5), 5 * 86400)
    assert not health.disables(None, start + timedelta(days=50), 5 * 86400)  # the last attempt succeeded
    assert not health.disables(start, start + timedelta(days=50), 0)  # 0: never
