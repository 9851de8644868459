"""Alerts on what is not one email's outcome: the webhook failure rate (a receiver in an outage)
and the share of the month's quota used (it starts again with the month)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Iterator

import httpx
import pytest
from alert_helpers import alert, alert_emails, get, moves, ok
from lifecycle_helpers import MAGIC, advance, send
from sandbox_process import RunningSandbox
from webhook_helpers import subscribe
from webhook_receiver import Receiver


@pytest.fixture
def api(own_sandbox: RunningSandbox) -> Iterator[httpx.Client]:
    with own_sandbox.client() as client:  # these tests move the clock and switch the plan
        yield client


@pytest.fixture(scope="module")
def receiver() -> Iterator[Receiver]:
    running = Receiver()
    yield running
    running.stop()


def test_a_receiver_outage_fires_the_webhook_failure_rate_and_an_hour_after_it_ends_resolves_it(api, receiver, unique):
    oncall = f"hooks-{unique}@shop.example"
    config = alert(api, name="Webhooks failing", metric="webhook_failure_rate", min_volume=2,
                   condition={"type": "above", "threshold": 0.5}, channels={"emails": [oncall]})
    receiver.down(f"app-{unique}")
    subscribe(api, receiver.url(f"app-{unique}"), ["email.sent"])
    for n in range(3):
        send(api, f"delivered+{unique}-{n}@{MAGIC}")
    advance(api, seconds=120)
    failing = get(api, config["id"])
    assert failing["state"] == "triggered" and failing["last_value"] == 1.0 and failing["last_volume"] >= 3
    assert [e["subject"] for e in alert_emails(api, oncall)] == ["Triggered: Webhooks failing"]

    receiver.up(f"app-{unique}")
    advance(api, seconds=600)  # the retries succeed
    advance(api, seconds=3600)  # and the failures leave the window
    assert get(api, config["id"])["state"] == "resolved"
    assert moves(api, config["id"]) == [("ok", "triggered"), ("triggered", "resolved")]


def _next_month(now: datetime) -> datetime:
    return datetime(now.year + (now.month == 12), now.month % 12 + 1, 1, tzinfo=timezone.utc)


def test_the_share_of_the_monthly_quota_fires_above_its_threshold_and_resolves_with_the_new_month(api, unique):
    ok(api.patch("/api/v1/accounts/organization/", json={"plan": "free"}))  # 1,000 recipients a month
    try:
        # Early in a month, so that no month ends while the test runs (late on a month's last day
        # it otherwise would, whatever the machine).
        now = datetime.fromisoformat(ok(api.get("/api/v1/sandbox/clock/"))["now"].replace("Z", "+00:00"))
        advance(api, to=(_next_month(now) + timedelta(days=1)).isoformat())
        used = ok(api.get("/api/v1/accounts/organization/"))["usage"]["emails"]
        threshold = (used + 45) / 10 - 0.5  # in percent: crossed by the next 45 recipients
        config = alert(api, name="Quota", metric="quota_used_percent",
                       condition={"type": "above", "threshold": threshold},
                       channels={"emails": [f"billing-{unique}@shop.example"]})
        send(api, [f"delivered+{unique}-{n}@{MAGIC}" for n in range(45)])
        advance(api, seconds=120)
        fired = get(api, config["id"])
        assert fired["state"] == "triggered" and fired["last_value"] == pytest.approx((used + 45) / 10)

        now = datetime.fromisoformat(ok(api.get("/api/v1/sandbox/clock/"))["now"].replace("Z", "+00:00"))
        advance(api, to=(_next_month(now) + timedelta(minutes=1)).isoformat())
        fresh = get(api, config["id"])
        assert (fresh["state"], fresh["last_value"]) == ("resolved", 0)
    finally:
        ok(api.patch("/api/v1/accounts/organization/", json={"plan": "unlimited"}))
