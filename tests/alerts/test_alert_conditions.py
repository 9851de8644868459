"""How alert configs judge what they measure, on the sandbox clock: a minimum volume, a cooldown,
a threshold from below, an anomaly against the metric's own baseline, filters by tag, campaign and
sending domain, disabled configs, the test action and a reset. Each test narrows its configs to
its own tag, so the tests share one sandbox without seeing each other's mail."""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Iterator

import httpx
import pytest
from alert_helpers import ALERTS, PER_EMAIL, alert, alert_emails, get, history, moves, ok, send_batch
from lifecycle_helpers import MAGIC, advance, send
from sandbox_process import RunningSandbox
from webhook_helpers import subscribe, verified
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


def _when(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def test_below_the_minimum_volume_a_rate_has_no_value_and_cannot_fire(api, unique):
    config = alert(api, min_volume=50, filters={"tag": unique})
    send_batch(api, unique, delivered=2, bounced=1, tags=[unique], per_email=PER_EMAIL)  # a third bounced: of three emails
    advance(api, seconds=300)
    quiet = get(api, config["id"])
    assert (quiet["state"], quiet["last_value"], quiet["last_volume"]) == ("ok", None, 3)

    send_batch(api, f"{unique}-more", delivered=50, bounced=7, tags=[unique], per_email=PER_EMAIL)
    advance(api, seconds=300)
    fired = get(api, config["id"])
    assert fired["state"] == "triggered"
    assert fired["last_value"] == pytest.approx(8 / 60) and fired["last_volume"] == 60


def test_a_cooldown_holds_back_a_second_firing_until_it_ends(api, unique):
    config = alert(api, cooldown_seconds=1800, filters={"tag": unique})
    send_batch(api, f"{unique}-a", delivered=9, bounced=1, tags=[unique], per_email=PER_EMAIL)  # 10%
    advance(api, seconds=300)
    assert get(api, config["id"])["state"] == "triggered"
    send_batch(api, f"{unique}-b", delivered=190, tags=[unique], per_email=PER_EMAIL)  # 1 of 200: back under 5%
    advance(api, seconds=300)
    assert get(api, config["id"])["state"] == "resolved"

    send_batch(api, f"{unique}-c", delivered=0, bounced=30, tags=[unique], per_email=PER_EMAIL)  # 31 of 230: over again
    advance(api, seconds=300)
    held = get(api, config["id"])
    assert held["state"] == "resolved" and held["last_value"] == pytest.approx(31 / 230)
    assert moves(api, config["id"]) == [("ok", "triggered"), ("triggered", "resolved")]

    advance(api, seconds=1200)  # the cooldown ends 30 minutes after the first firing
    steps = history(api, config["id"])
    assert [s["to_state"] for s in steps] == ["triggered", "resolved", "triggered"]
    apart = _when(steps[2]["occurred_at"]) - _when(steps[0]["occurred_at"])
    assert timedelta(seconds=1800) <= apart < timedelta(seconds=1801)  # (real milliseconds pass meanwhile)


def test_a_below_condition_fires_when_the_delivery_rate_drops_and_resolves_when_it_recovers(api, unique):
    config = alert(api, name="Deliverability", metric="delivery_rate",
                   condition={"type": "below", "threshold": 0.9}, filters={"tag": unique})
    send_batch(api, unique, delivered=5, bounced=5, tags=[unique], per_email=PER_EMAIL)
    advance(api, seconds=300)
    assert (get(api, config["id"])["state"], get(api, config["id"])["last_value"]) == ("triggered", 0.5)
    send_batch(api, f"{unique}-ok", delivered=90, tags=[unique], per_email=PER_EMAIL)
    advance(api, seconds=300)
    recovered = get(api, config["id"])
    assert recovered["state"] == "resolved" and recovered["last_value"] == pytest.approx(0.95)
    assert history(api, config["id"])[1]["threshold"] == 0.9


def test_an_anomaly_fires_when_an_hour_departs_from_the_hours_before_and_not_on_an_ordinary_hour(api, unique):
    config = alert(api, name="Sending surge", metric="emails_sent", min_volume=1, filters={"tag": unique},
                   condition={"type": "anomaly", "deviations": 3, "direction": "above", "baseline_windows": 4})
    for hour, count in enumerate((10, 12, 11, 10)):  # an ordinary day
        send_batch(api, f"{unique}-{hour}", delivered=count, tags=[unique], per_email=PER_EMAIL)
        advance(api, seconds=3600)
    ordinary = get(api, config["id"])
    assert (ordinary["state"], ordinary["last_value"]) == ("ok", 10)  # the fourth hour, like the others

    send_batch(api, f"{unique}-surge", delivered=40, tags=[unique], per_email=PER_EMAIL)
    advance(api, seconds=120)
    fired = get(api, config["id"])
    assert (fired["state"], fired["last_value"]) == ("triggered", 40)
    baseline = history(api, config["id"])[0]["baseline"]
    assert baseline["windows"] == 4 and baseline["mean"] == pytest.approx(10.75)
    assert baseline["deviations"] > 3


def test_filters_narrow_the_metric_to_a_tag_a_campaign_or_a_sending_domain(api, unique):
    by_tag = alert(api, filters={"tag": unique})
    by_domain = alert(api, filters={"sending_domain": f"mail-{unique}.example"})
    send_batch(api, f"{unique}-t", delivered=0, bounced=5, tags=[unique], per_email=PER_EMAIL)  # from app@shop.example
    send_batch(api, f"{unique}-d", delivered=20, from_email=f"News <news@MAIL-{unique}.example>")
    people = [ok(api.post("/api/v1/contacts/", json={"email": f"bounced+{unique}-c{n}@{MAGIC}"}), 201)
              for n in range(3)]
    campaign = ok(api.post("/api/v1/campaigns/", json={
        "name": "Bouncy", "subject": "Hi", "text": "Hello", "audience": {"contact_ids": [p["id"] for p in people]}}),
        201)
    other = ok(api.post("/api/v1/campaigns/", json={"name": "Quiet", "subject": "Hi", "text": "Hello"}), 201)
    by_campaign = alert(api, filters={"campaign_id": campaign["id"]})
    by_other = alert(api, filters={"campaign_id": other["id"]})
    ok(api.post(f"/api/v1/campaigns/{campaign['id']}/send/", json={}))
    advance(api, seconds=300)

    assert (get(api, by_tag["id"])["state"], get(api, by_tag["id"])["last_volume"]) == ("triggered", 5)
    assert (get(api, by_domain["id"])["state"], get(api, by_domain["id"])["last_value"]) == ("ok", 0)
    assert get(api, by_domain["id"])["last_volume"] == 20
    assert (get(api, by_campaign["id"])["state"], get(api, by_campaign["id"])["last_volume"]) == ("triggered", 3)
    assert (get(api, by_other["id"])["state"], get(api, by_other["id"])["last_value"]) == ("ok", None)


def test_a_disabled_config_is_not_evaluated_until_enabled_again(api, unique):
    config = alert(api, enabled=False, filters={"tag": unique})
    send_batch(api, unique, delivered=0, bounced=3, tags=[unique], per_email=PER_EMAIL)
    advance(api, seconds=300)
    paused = get(api, config["id"])
    assert (paused["state"], paused["last_evaluated_at"], paused["next_evaluation_at"]) == ("ok", None, None)
    ok(api.patch(f"{ALERTS}{config['id']}/", json={"enabled": True}))
    advance(api, seconds=1)
    assert get(api, config["id"])["state"] == "triggered"


def test_the_test_action_sends_a_sample_through_every_channel_and_changes_nothing(api, receiver, unique):
    hook = subscribe(api, receiver.url(f"test-{unique}"), ["campaign.completed"])
    oncall = f"oncall-{unique}@shop.example"
    config = alert(api, name="Smoke", filters={"tag": unique},
                   channels={"emails": [oncall], "webhook_endpoint_ids": [hook["id"]]})
    sent = ok(api.post(f"{ALERTS}{config['id']}/test/"), 202)
    assert len(sent["email_ids"]) == 1 and len(sent["webhook_delivery_ids"]) == 1
    body = verified(hook["secret"], receiver.wait_for(f"test-{unique}", 1)[0])
    assert body["type"] == "sandbox.alert.triggered"
    assert body["data"]["test"] is True and body["data"]["transition_id"] is None
    assert [e["subject"] for e in alert_emails(api, oncall)] == ["[Test] Alert: Smoke"]
    assert get(api, config["id"])["state"] == "ok" and history(api, config["id"]) == []


def test_alert_mail_is_not_charged_to_the_quota_nor_counted_as_sending(api, unique):
    before = ok(api.get("/api/v1/accounts/organization/"))["usage"]["emails"]
    counter = alert(api, name="Volume", metric="emails_sent", condition={"type": "above", "threshold": 0},
                    filters={"tag": unique}, channels={"emails": [f"a-{unique}@shop.example", f"b-{unique}@shop.example"]})
    for _ in range(3):
        ok(api.post(f"{ALERTS}{counter['id']}/test/"), 202)
    advance(api, seconds=300)
    assert get(api, counter["id"])["last_value"] == 0
    assert len(alert_emails(api, f"a-{unique}@shop.example")) == 3
    assert ok(api.get("/api/v1/accounts/organization/"))["usage"]["emails"] == before


def test_a_data_reset_keeps_the_configs_and_starts_their_state_again(api, unique):
    config = alert(api, filters={"tag": unique})
    send_batch(api, unique, delivered=0, bounced=2, tags=[unique], per_email=PER_EMAIL)
    advance(api, seconds=300)
    assert get(api, config["id"])["state"] == "triggered"
    ok(api.post("/api/v1/sandbox/reset/", json={}))
    kept = get(api, config["id"])
    assert kept["name"] == config["name"] and kept["state"] == "ok" and history(api, config["id"]) == []


def test_the_hard_bounce_rate_counts_hard_bounces_and_not_soft_ones(api, unique):
    hard = alert(api, name="Hard", metric="hard_bounce_rate", condition={"type": "above", "threshold": 0.2},
                 filters={"tag": unique})
    every = alert(api, name="Any", filters={"tag": unique})
    send(api, [f"bounced+{unique}@{MAGIC}", f"softbounce+{unique}@{MAGIC}", f"softbounce+{unique}-2@{MAGIC}",
               f"delivered+{unique}@{MAGIC}"], tags=[unique])
    advance(api, seconds=300)
    assert (get(api, hard["id"])["state"], get(api, hard["id"])["last_value"]) == ("triggered", 0.25)
    assert get(api, every["id"])["last_value"] == 0.75
