"""The monitoring a team runs against the sandbox: a bounce-rate alert above 5% over an hour,
with a webhook and an email channel, fires when a tenth of a hundred emails bounce, and the next
quiet hour resolves it. The webhook arrives signed at a real receiver; the email is in the inbox."""
from __future__ import annotations

from typing import Iterator

import httpx
import pytest
from alert_helpers import alert, alert_emails, get, history, moves, ok, send_batch
from lifecycle_helpers import advance
from sandbox_process import RunningSandbox
from webhook_helpers import deliveries, subscribe, verified
from webhook_receiver import Receiver


@pytest.fixture
def api(own_sandbox: RunningSandbox) -> Iterator[httpx.Client]:
    with own_sandbox.client() as client:  # these tests move the clock
        yield client


@pytest.fixture(scope="module")
def receiver() -> Iterator[Receiver]:
    running = Receiver()
    yield running
    running.stop()


def test_a_bounce_spike_fires_a_signed_webhook_and_an_email_and_a_quiet_hour_resolves_it(api, receiver, unique):
    # The endpoint subscribes to no alert event: naming it as the channel is enough.
    pager = subscribe(api, receiver.url(f"pager-{unique}"), ["campaign.completed"])
    oncall = f"oncall-{unique}@shop.example"
    config = alert(api, name="Bounce spike", min_volume=50,
                   channels={"emails": [oncall], "webhook_endpoint_ids": [pager["id"]]})
    assert config["state"] == "ok" and config["window"] == "1h" and config["window_seconds"] == 3600

    send_batch(api, unique, delivered=90, bounced=10, subject="Welcome")
    advance(api, seconds=300)  # outcomes happen, the alert is evaluated

    fired = get(api, config["id"])
    assert fired["state"] == "triggered"
    assert fired["last_value"] == pytest.approx(0.10) and fired["last_volume"] == 100
    body = verified(pager["secret"], receiver.wait_for(f"pager-{unique}", 1)[0])
    assert body["type"] == "sandbox.alert.triggered"
    data = body["data"]
    assert (data["alert_config_id"], data["state"], data["previous_state"]) == (config["id"], "triggered", "ok")
    assert data["value"] == pytest.approx(0.10) and (data["count"], data["volume"]) == (10, 100)
    assert data["threshold"] == 0.05 and data["test"] is False
    assert "10.0% (10 of 100 emails sent)" in data["summary"]

    [email] = alert_emails(api, oncall)
    assert email["subject"] == "Triggered: Bounce spike"
    shown = ok(api.get(f"/api/v1/emails/{email['id']}/"))
    assert "Bounce rate is 10.0% (10 of 100 emails sent) over the last 1h: above 5.0%." in shown["text"]
    assert shown["from_email"] == "alerts@gclap-sandbox.test" and shown["to"] == [oncall]
    assert shown["metadata"] == {"alert_config_id": config["id"], "alert_state": "triggered", "alert_test": False}

    advance(api, seconds=3600)  # a quiet hour: the hundred emails leave the window
    resolved = get(api, config["id"])
    assert resolved["state"] == "resolved" and resolved["last_value"] is None
    body = verified(pager["secret"], receiver.wait_for(f"pager-{unique}", 2)[1])
    assert (body["type"], body["data"]["previous_state"]) == ("sandbox.alert.resolved", "triggered")
    assert [e["subject"] for e in alert_emails(api, oncall)] == ["Triggered: Bounce spike", "Resolved: Bounce spike"]

    steps = history(api, config["id"])
    assert [(s["from_state"], s["to_state"]) for s in steps] == [("ok", "triggered"), ("triggered", "resolved")]
    assert steps[0]["value"] == pytest.approx(0.10) and steps[0]["volume"] == 100 and steps[0]["threshold"] == 0.05
    assert body["data"]["transition_id"] == steps[1]["id"]

    advance(api, seconds=7 * 86400)  # a quiet week: nothing left to move, so not even looked at again
    assert moves(api, config["id"]) == [("ok", "triggered"), ("triggered", "resolved")]
    after = get(api, config["id"])
    assert after["last_evaluated_at"] == resolved["last_evaluated_at"] and after["next_evaluation_at"] is None
    assert [d["event_type"] for d in deliveries(api, endpoint=pager["id"])] == [
        "sandbox.alert.resolved", "sandbox.alert.triggered"]

