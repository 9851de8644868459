"""Pure parts of webhooks: signing (checked against standardwebhooks) and the retry schedule."""
from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime

from standardwebhooks.webhooks import Webhook

from gclap_sandbox.webhooks import schedule, signing


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
