"""Webhooks end to end: a real sandbox posts signed deliveries to a real local HTTP receiver.

Signatures are checked with the PyPI `standardwebhooks` library, never with our own code.
"""
from __future__ import annotations

import json
from datetime import datetime
from typing import Iterator

import httpx
import pytest
from lifecycle_helpers import MAGIC, advance, assert_problem, send
from sandbox_process import RunningSandbox
from webhook_helpers import (
    DELIVERIES,
    ENDPOINTS,
    deliveries,
    delivery,
    endpoint_of,
    only_delivery,
    signed_by,
    subscribe,
    types_of,
    verified,
)
from webhook_receiver import HANG, Receiver


@pytest.fixture
def box(own_sandbox: RunningSandbox) -> RunningSandbox:
    return own_sandbox  # these tests move the clock


@pytest.fixture
def api(box: RunningSandbox) -> Iterator[httpx.Client]:
    with box.client() as client:
        yield client


@pytest.fixture(scope="module")
def receiver() -> Iterator[Receiver]:
    running = Receiver()
    yield running
    running.stop()


def _seconds(a: str, b: str) -> float:
    return (datetime.fromisoformat(b.replace("Z", "+00:00"))
            - datetime.fromisoformat(a.replace("Z", "+00:00"))).total_seconds()


def test_endpoint_crud_shows_the_secret_on_create_and_get_but_not_in_lists(api, receiver, unique):
    created = subscribe(api, receiver.url(f"crud-{unique}"), ["email.delivered", "email.bounced", "email.bounced"],
                        description="orders service")
    assert created["secret"].startswith("whsec_")
    assert created["events"] == ["email.delivered", "email.bounced"]
    assert (created["active"], created["description"]) == (True, "orders service")
    listed = api.get(ENDPOINTS, params={"page_size": 500}).json()["results"]
    mine = [e for e in listed if e["id"] == created["id"]]
    assert len(mine) == 1 and "secret" not in mine[0]
    assert endpoint_of(api, created)["secret"] == created["secret"]

    changed = api.patch(f"{ENDPOINTS}{created['id']}/", json={"events": ["*", "email.sent"], "active": False,
                                                              "url": receiver.url(f"crud2-{unique}")})
    assert changed.status_code == 200, changed.text
    assert (changed.json()["events"], changed.json()["active"]) == (["*"], False)
    assert changed.json()["disabled_reason"]
    assert changed.json()["url"].endswith(f"crud2-{unique}")
    assert api.delete(f"{ENDPOINTS}{created['id']}/").status_code == 204
    assert_problem(api.get(f"{ENDPOINTS}{created['id']}/"), 404)


def test_subscribers_receive_signed_events_in_order_per_email(api, receiver, unique):
    endpoint = subscribe(api, receiver.url(f"all-{unique}"), ["*"])
    email = send(api, f"clicked+{unique}@{MAGIC}", subject=f"Order {unique}", tags=["orders"],
                 metadata={"order": "42"}, from_email="Shop <app@shop.example>",
                 html="<p><a href='https://shop.example/sale'>Sale</a></p>")
    advance(api, seconds=3600)
    received = receiver.wait_for(f"all-{unique}", 4)
    assert types_of(received) == ["email.sent", "email.delivered", "email.opened", "email.clicked"]
    bodies = [verified(endpoint["secret"], r) for r in received]
    for body in bodies:
        data = body["data"]
        assert (data["email_id"], data["recipient"], data["subject"]) == (email["id"], f"clicked+{unique}@{MAGIC}",
                                                                          f"Order {unique}")
        assert (data["from"], data["tags"], data["metadata"]) == ("Shop <app@shop.example>", ["orders"], {"order": "42"})
    assert bodies[3]["data"]["url"] == "https://shop.example/sale"
    assert bodies[1]["data"]["smtp_code"] == 250
    stamps = [b["timestamp"] for b in bodies]
    assert stamps == sorted(stamps)
    for r in received:
        assert r.headers["content-type"] == "application/json"
        assert "gclap-sandbox" in r.headers["user-agent"]
    assert len({r.headers["webhook-id"] for r in received}) == 4

    log = deliveries(api, endpoint=endpoint["id"])
    assert [d["event_type"] for d in log] == ["email.clicked", "email.opened", "email.delivered", "email.sent"]
    assert {d["status"] for d in log} == {"succeeded"}
    assert [d["event_type"] for d in deliveries(api, endpoint=endpoint["id"], event_type="email.opened")] == \
        ["email.opened"]


def test_only_subscribed_types_are_posted_and_a_disabled_endpoint_keeps_its_events_as_skipped(api, receiver, unique):
    bounces = subscribe(api, receiver.url(f"bounces-{unique}"), ["email.bounced"])
    off = subscribe(api, receiver.url(f"off-{unique}"), ["*"])
    assert api.patch(f"{ENDPOINTS}{off['id']}/", json={"active": False}).status_code == 200
    send(api, [f"bounced+{unique}@{MAGIC}", f"delivered+{unique}@{MAGIC}"])
    advance(api, seconds=60)
    received = receiver.wait_for(f"bounces-{unique}", 1)
    assert types_of(received) == ["email.bounced"]
    body = verified(bounces["secret"], received[0])["data"]
    assert (body["bounce_type"], body["smtp_code"], body["recipient"]) == ("hard", 550, f"bounced+{unique}@{MAGIC}")
    assert "5.1.1" in body["reason"]
    assert len(deliveries(api, endpoint=bounces["id"])) == 1
    kept = deliveries(api, endpoint=off["id"])
    assert sorted(d["event_type"] for d in kept) == ["email.bounced", "email.delivered", "email.sent", "email.sent"]
    assert {(d["status"], d["skipped_reason"], d["attempt_count"]) for d in kept} == {("skipped", "endpoint disabled", 0)}
    assert receiver.arrived[f"off-{unique}"] == 0
    assert endpoint_of(api, off)["missed_deliveries"] == 4


def test_failures_are_retried_on_the_sandbox_clock_until_exhausted(api, receiver, unique):
    name = f"failing-{unique}"
    receiver.plan(name, *[500] * 8)
    endpoint = subscribe(api, receiver.url(name), ["email.sent"])
    send(api, f"delivered+{unique}@{MAGIC}")
    advance(api, seconds=0)  # runs what is due and waits for attempts in flight
    first = only_delivery(api, endpoint)
    assert (first["status"], first["attempt_count"]) == ("pending", 1)
    assert _seconds(first["last_attempt_at"], first["next_attempt_at"]) == pytest.approx(5, abs=1)

    advance(api, seconds=4)
    assert only_delivery(api, endpoint)["attempt_count"] == 1
    advance(api, seconds=1.5)
    assert only_delivery(api, endpoint)["attempt_count"] == 2

    advance(api, seconds=2 * 86400)  # the whole schedule, in milliseconds
    done = only_delivery(api, endpoint)
    assert (done["status"], done["attempt_count"], done["next_attempt_at"]) == ("failed", 8, None)
    gaps = [_seconds(a["started_at"], b["started_at"]) for a, b in zip(done["attempts"], done["attempts"][1:])]
    assert gaps == pytest.approx([5, 300, 1800, 7200, 18000, 36000, 36000], abs=1)
    received = receiver.wait_for(name, 8)
    assert len({r.headers["webhook-id"] for r in received}) == 1  # stable across retries
    for attempt, got in zip(done["attempts"], received):
        assert attempt["request"]["body"] == got.body  # the log shows exactly what was sent
        assert attempt["request"]["headers"]["webhook-signature"] == got.headers["webhook-signature"]
        assert attempt["response"]["status"] == 500
        assert attempt["response"]["body"] == '{"error": "planned failure"}'
        assert attempt["duration_ms"] >= 0 and attempt["succeeded"] is False
        assert signed_by(endpoint["secret"], got)
    assert [d["id"] for d in deliveries(api, endpoint=endpoint["id"], status="failed")] == [done["id"]]
    assert endpoint_of(api, endpoint)["consecutive_failures"] == 8


def test_retry_after_is_honoured(api, receiver, unique):
    name = f"busy-{unique}"
    receiver.plan(name, (503, {"Retry-After": "120"}), (429, {"Retry-After": "1"}))
    endpoint = subscribe(api, receiver.url(name), ["email.sent"])
    send(api, f"delivered+{unique}@{MAGIC}")
    advance(api, seconds=0)
    first = only_delivery(api, endpoint)
    assert _seconds(first["last_attempt_at"], first["next_attempt_at"]) == pytest.approx(120, abs=1)
    advance(api, seconds=121)
    second = only_delivery(api, endpoint)
    assert second["attempt_count"] == 2
    assert _seconds(second["last_attempt_at"], second["next_attempt_at"]) == pytest.approx(300, abs=1)
    advance(api, seconds=301)
    assert only_delivery(api, endpoint)["status"] == "succeeded"


def test_410_gone_disables_the_endpoint_and_redelivery_needs_it_back(api, receiver, unique):
    name = f"gone-{unique}"
    receiver.plan(name, 410)
    endpoint = subscribe(api, receiver.url(name), ["email.sent"])
    send(api, f"delivered+{unique}@{MAGIC}")
    advance(api, seconds=0)
    gone = only_delivery(api, endpoint)
    assert (gone["status"], gone["attempt_count"]) == ("failed", 1)
    state = endpoint_of(api, endpoint)
    assert state["active"] is False and "410" in state["disabled_reason"]
    send(api, f"delivered+{unique}@{MAGIC}")  # a disabled endpoint's new events are kept, not sent
    assert [d["status"] for d in deliveries(api, endpoint=endpoint["id"])] == ["skipped", "failed"]

    assert_problem(api.post(f"{DELIVERIES}{gone['id']}/redeliver/"), 409)
    assert api.patch(f"{ENDPOINTS}{endpoint['id']}/", json={"active": True}).json()["disabled_reason"] is None
    queued = api.post(f"{DELIVERIES}{gone['id']}/redeliver/")
    assert queued.status_code == 202 and queued.json()["status"] == "pending"
    received = receiver.wait_for(name, 1)
    assert received[0].headers["webhook-id"] == gone["webhook_id"]
    advance(api, seconds=0)
    again = delivery(api, gone["id"])
    assert (again["status"], again["attempt_count"]) == ("succeeded", 2)


def test_redeliver_sends_a_succeeded_delivery_again_with_the_same_id(api, receiver, unique):
    name = f"again-{unique}"
    endpoint = subscribe(api, receiver.url(name), ["email.sent"])
    send(api, f"delivered+{unique}@{MAGIC}")
    first = receiver.wait_for(name, 1)[0]
    advance(api, seconds=0)
    row = only_delivery(api, endpoint)
    assert api.post(f"{DELIVERIES}{row['id']}/redeliver/").status_code == 202
    second = receiver.wait_for(name, 2)[1]
    assert second.headers["webhook-id"] == first.headers["webhook-id"] and second.body == first.body
    assert verified(endpoint["secret"], second)["type"] == "email.sent"


def test_rotating_the_secret_signs_with_both_during_the_grace_period(api, receiver, unique):
    name = f"rotate-{unique}"
    endpoint = subscribe(api, receiver.url(name), ["email.sent"])
    rotated = api.post(f"{ENDPOINTS}{endpoint['id']}/rotate-secret/", json={"grace_period_seconds": 600})
    assert rotated.status_code == 200, rotated.text
    new_secret = rotated.json()["secret"]
    assert new_secret != endpoint["secret"] and rotated.json()["previous_secret_expires_at"]
    send(api, f"delivered+{unique}@{MAGIC}")
    during = receiver.wait_for(name, 1)[0]
    assert len(during.headers["webhook-signature"].split(" ")) == 2
    assert signed_by(new_secret, during) and signed_by(endpoint["secret"], during)

    advance(api, seconds=601)
    assert endpoint_of(api, endpoint)["previous_secret_expires_at"] is None
    send(api, f"delivered+{unique}@{MAGIC}")
    after = receiver.wait_for(name, 2)[1]
    assert signed_by(new_secret, after) and not signed_by(endpoint["secret"], after)


def test_a_test_event_is_sent_at_once_and_answered_with_its_attempt(api, receiver, unique):
    name = f"ping-{unique}"
    endpoint = subscribe(api, receiver.url(name), ["email.opened"])
    response = api.post(f"{ENDPOINTS}{endpoint['id']}/test/")
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["event_type"], body["status"], body["attempt_count"]) == ("webhook.test", "succeeded", 1)
    assert body["attempts"][0]["response"]["status"] == 200
    received = receiver.wait_for(name, 1)
    assert verified(endpoint["secret"], received[0])["data"]["endpoint_id"] == endpoint["id"]


def test_a_hanging_endpoint_slows_neither_capture_nor_other_endpoints(launch, unique):
    box = launch("--webhook-concurrency", "4")
    receiver = Receiver()
    try:
        with box.client() as api:
            receiver.plan("hang", *[HANG] * 20)
            subscribe(api, receiver.url("hang"), ["email.sent"])
            healthy = subscribe(api, receiver.url("healthy"), ["email.sent"])
            for n in range(6):
                send(api, f"delivered+{unique}-{n}@{MAGIC}")
            received = receiver.wait_for("healthy", 6)
            assert receiver.arrived["hang"] >= 1 and receiver.requests["hang"] == []  # still unanswered
            assert all(signed_by(healthy["secret"], r) for r in received)
            assert api.get("/api/v1/emails/", params={"search": unique}).json()["count"] == 6
    finally:
        receiver.stop()


def test_pending_deliveries_survive_a_restart(launch, tmp_path, unique):
    db = str(tmp_path / "sandbox.sqlite3")
    receiver = Receiver()
    try:
        name = f"durable-{unique}"
        receiver.plan(name, 500)
        first = launch(db=db)
        with first.client() as api:
            endpoint = subscribe(api, receiver.url(name), ["email.sent"])
            send(api, f"delivered+{unique}@{MAGIC}")
            advance(api, seconds=0)
            assert only_delivery(api, endpoint)["attempt_count"] == 1
        first.stop()
        second = launch(db=db)
        with second.client() as api:
            advance(api, seconds=10)
            row = only_delivery(api, endpoint)
            assert (row["status"], row["attempt_count"]) == ("succeeded", 2)
        assert verified(endpoint["secret"], receiver.wait_for(name, 2)[1])["type"] == "email.sent"
    finally:
        receiver.stop()


def test_the_openapi_document_has_a_payload_schema_per_event_type(api):
    document = api.get("/api/v1/openapi.json").json()
    types = {"email.sent", "email.delivered", "email.opened", "email.clicked", "email.bounced",
             "email.unsubscribed", "email.spam", "campaign.completed", "webhook.test"}
    assert types <= set(document["webhooks"])
    schemas = document["components"]["schemas"]
    clicked = schemas["EmailClickedPayload"]["properties"]["data"]["properties"]
    assert {"email_id", "recipient", "from", "subject", "tags", "metadata", "url", "user_agent", "ip"} <= set(clicked)
    bounced = schemas["EmailBouncedPayload"]["properties"]["data"]["properties"]
    assert {"bounce_type", "smtp_code", "reason"} <= set(bounced)
    ref = document["webhooks"]["email.clicked"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert ref == {"$ref": "#/components/schemas/EmailClickedPayload"}
    assert json.dumps(document)  # serializable
