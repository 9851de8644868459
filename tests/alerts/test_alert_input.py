"""Every alert-config route refuses bad input with a problem document and stores nothing; scopes
guard reading and changing; ids that name nothing are 404s naming the field."""
from __future__ import annotations

from typing import Iterator

import httpx
import pytest
from alert_helpers import ALERTS, alert, ok
from lifecycle_helpers import assert_problem
from sandbox_process import RunningSandbox

MISSING = "00000000-0000-4000-8000-0000000000a1"  # fixed: xdist workers must collect identical test ids
GOOD = {"name": "Bounces", "metric": "bounce_rate", "condition": {"type": "above", "threshold": 0.05},
        "channels": {"emails": ["oncall@shop.example"]}}


@pytest.fixture
def api(own_sandbox: RunningSandbox) -> Iterator[httpx.Client]:
    with own_sandbox.client() as client:  # configs made here would watch the shared sandbox's mail
        yield client


def _count(api) -> int:
    return ok(api.get(ALERTS, params={"page_size": 1}))["count"]


def _with(**changes):
    return {**GOOD, **changes}


@pytest.mark.parametrize("body, field", [
    ({k: v for k, v in GOOD.items() if k != "name"}, "name"),
    (_with(name=""), "name"),
    (_with(name="a\nb"), "name"),
    (_with(name="x" * 201), "name"),
    (_with(name=5), "name"),
    ({k: v for k, v in GOOD.items() if k != "metric"}, "metric"),
    (_with(metric="bounces"), "metric"),
    (_with(metric=None), "metric"),
    ({k: v for k, v in GOOD.items() if k != "condition"}, "condition"),
    (_with(condition={"type": "sideways", "threshold": 1}), "condition.type"),
    (_with(condition={"type": "above"}), "condition.threshold"),
    (_with(condition={"type": "above", "threshold": -0.1}), "condition.threshold"),
    (_with(condition={"type": "above", "threshold": "5%"}), "condition.threshold"),
    (_with(condition={"type": "above", "threshold": 5}), "condition.threshold"),  # a rate is 0-1
    (_with(condition={"type": "above", "threshold": 0.1, "deviations": 3}), "condition.deviations"),
    (_with(condition={"type": "anomaly"}), "condition.deviations"),
    (_with(condition={"type": "anomaly", "deviations": 0}), "condition.deviations"),
    (_with(condition={"type": "anomaly", "deviations": 3, "direction": "up"}), "condition.direction"),
    (_with(condition={"type": "anomaly", "deviations": 3, "baseline_windows": 2}), "condition.baseline_windows"),
    (_with(condition={"type": "anomaly", "deviations": 3, "baseline_windows": 49}), "condition.baseline_windows"),
    (_with(condition="above 5%"), "condition"),
    (_with(metric="quota_used_percent", condition={"type": "above", "threshold": 101}), "condition.threshold"),
    (_with(metric="quota_used_percent", condition={"type": "anomaly", "deviations": 3}), "condition.type"),
    (_with(window="2h"), "window"),
    (_with(window=3600), "window"),
    (_with(window=""), "window"),
    (_with(min_volume=-1), "min_volume"),
    (_with(min_volume=1.5), "min_volume"),
    (_with(min_volume="10"), "min_volume"),
    (_with(cooldown_seconds=-1), "cooldown_seconds"),
    (_with(cooldown_seconds=31 * 86400), "cooldown_seconds"),
    (_with(cooldown_seconds="1h"), "cooldown_seconds"),
    (_with(filters={"tag": ""}), "filters.tag"),
    (_with(filters={"campaign_id": "nope"}), "filters.campaign_id"),
    (_with(filters={"sending_domain": "not a domain"}), "filters.sending_domain"),
    (_with(filters={"sending_domain": "user@shop.example"}), "filters.sending_domain"),
    (_with(filters={"colour": "red"}), "filters.colour"),
    (_with(filters="signup"), "filters"),
    (_with(metric="webhook_failure_rate", filters={"tag": "signup"}), "filters"),
    (_with(metric="quota_used_percent", condition={"type": "above", "threshold": 80}, filters={"tag": "x"}), "filters"),
    ({k: v for k, v in GOOD.items() if k != "channels"}, "channels"),
    (_with(channels={}), "channels.emails"),
    (_with(channels={"emails": []}), "channels.emails"),
    (_with(channels={"emails": ["not an address"]}), "channels.emails[0]"),
    (_with(channels={"emails": "a@shop.example, b@shop.example"}), "channels.emails"),
    (_with(channels={"emails": [f"p{n}@shop.example" for n in range(21)]}), "channels.emails"),
    (_with(channels={"webhook_endpoint_ids": ["nope"]}), "channels.webhook_endpoint_ids[0]"),
    (_with(channels={"slack": ["#oncall"]}), "channels.slack"),
    (_with(enabled="yes"), "enabled"),
    (_with(colour="red"), "colour"),
])
def test_create_refuses_each_bad_field_and_stores_nothing(api, body, field):
    before = _count(api)
    assert_problem(api.post(ALERTS, json=body), 400, field)
    assert _count(api) == before


def test_a_body_that_is_not_a_json_object_is_refused(api):
    assert_problem(api.post(ALERTS, content=b"{nope", headers={"content-type": "application/json"}), 400)
    assert_problem(api.post(ALERTS, json=[GOOD]), 400)


def test_ids_that_name_nothing_are_404s_naming_the_field_and_store_nothing(api):
    before = _count(api)
    problem = assert_problem(api.post(ALERTS, json=_with(filters={"campaign_id": MISSING})), 404, "filters.campaign_id")
    assert problem["type"].endswith("unknown-reference")
    assert_problem(api.post(ALERTS, json=_with(channels={"webhook_endpoint_ids": [MISSING]})), 404,
                   "channels.webhook_endpoint_ids[0]")
    assert _count(api) == before
    for method in ("GET", "PATCH", "DELETE"):
        assert_problem(api.request(method, f"{ALERTS}{MISSING}/", json={"name": "x"} if method == "PATCH" else None),
                       404)
    assert_problem(api.get(f"{ALERTS}{MISSING}/history/"), 404)
    assert_problem(api.post(f"{ALERTS}{MISSING}/test/"), 404)


def test_a_change_is_checked_alone_and_with_what_is_stored(api, unique):
    config = alert(api, name=f"Change {unique}")
    url = f"{ALERTS}{config['id']}/"
    assert_problem(api.patch(url, json={}), 400, "body")
    assert_problem(api.patch(url, json={"window": "2h"}), 400, "window")
    assert_problem(api.patch(url, json={"name": None}), 400, "name")
    ok(api.patch(url, json={"metric": "emails_sent", "condition": {"type": "above", "threshold": 500}}))
    clash = assert_problem(api.patch(url, json={"metric": "open_rate"}), 409, "condition.threshold")
    assert clash["type"].endswith("alert-config-conflict")
    assert ok(api.get(url))["metric"] == "emails_sent"  # unchanged by the refused change
    changed = ok(api.patch(url, json={"window": "24h", "filters": {"sending_domain": "Shop.Example"}}))
    assert (changed["window"], changed["window_seconds"], changed["filters"]) == ("24h", 86400,
                                                                                 {"sending_domain": "shop.example"})


def test_list_filters_are_checked(api):
    assert_problem(api.get(ALERTS, params={"state": "firing"}), 400, "state")
    assert_problem(api.get(ALERTS, params={"state": ""}), 400, "state")
    assert_problem(api.get(ALERTS, params={"colour": "red"}), 400, "colour")


def test_reading_needs_analytics_read_and_changing_needs_analytics_write(api, own_sandbox, unique):
    config = alert(api, name=f"Scoped {unique}")
    reader = ok(api.post("/api/v1/accounts/api-keys/", json={"name": "reader", "scopes": ["analytics:read"]}), 201)
    other = ok(api.post("/api/v1/accounts/api-keys/", json={"name": "other", "scopes": ["emails:read"]}), 201)
    with own_sandbox.client(reader["key"]) as client:
        assert client.get(ALERTS).status_code == 200
        assert client.get(f"{ALERTS}{config['id']}/history/").status_code == 200
        for response in (client.post(ALERTS, json=GOOD), client.patch(f"{ALERTS}{config['id']}/", json={"name": "x"}),
                         client.delete(f"{ALERTS}{config['id']}/"), client.post(f"{ALERTS}{config['id']}/test/")):
            assert response.status_code == 403 and response.json()["missing_scope"] == "analytics:write"
    with own_sandbox.client(other["key"]) as client:
        assert client.get(ALERTS).json()["missing_scope"] == "analytics:read"
    assert ok(api.get(f"{ALERTS}{config['id']}/"))["name"] == f"Scoped {unique}"


def test_create_is_idempotent_with_an_idempotency_key(api, unique):
    body = _with(name=f"Once {unique}")
    first = api.post(ALERTS, json=body, headers={"Idempotency-Key": f"alert-{unique}"})
    again = api.post(ALERTS, json=body, headers={"Idempotency-Key": f"alert-{unique}"})
    assert first.status_code == again.status_code == 201 and first.json()["id"] == again.json()["id"]
    clash = api.post(ALERTS, json={**body, "name": "other"}, headers={"Idempotency-Key": f"alert-{unique}"})
    assert clash.status_code == 409


def test_a_config_reads_back_as_created_and_is_gone_once_deleted(api, unique):
    created = alert(api, name=f"Full {unique}", metric="click_rate", window="7d", min_volume=100,
                    cooldown_seconds=3600, filters={"tag": "newsletter"},
                    condition={"type": "anomaly", "deviations": 2.5},
                    channels={"emails": ["Ops <ops@shop.example>"]}, enabled=False)
    assert created["condition"] == {"type": "anomaly", "deviations": 2.5, "direction": "either",
                                    "baseline_windows": 24}
    assert (created["window"], created["window_seconds"], created["min_volume"], created["cooldown_seconds"]) == (
        "7d", 604800, 100, 3600)
    assert created["channels"] == {"emails": ["Ops <ops@shop.example>"], "webhook_endpoint_ids": []}
    assert created["enabled"] is False
    assert ok(api.get(f"{ALERTS}{created['id']}/")) == created
    listed = ok(api.get(ALERTS, params={"page_size": 500, "state": "ok"}))["results"]
    assert created["id"] in [row["id"] for row in listed]
    assert api.delete(f"{ALERTS}{created['id']}/").status_code == 204
    assert_problem(api.get(f"{ALERTS}{created['id']}/"), 404)


def test_a_name_with_any_line_separator_still_makes_a_one_line_alert_subject(api, unique):
    oncall = f"lines-{unique}@shop.example"
    config = alert(api, name="Bounces\u2028at\x0bnight\x1cnow", channels={"emails": [oncall]})
    ok(api.post(f"{ALERTS}{config['id']}/test/"), 202)
    [email] = ok(api.get("/api/v1/emails/", params={"to": oncall}))["results"]
    assert email["subject"] == "[Test] Alert: Bounces at night now"
