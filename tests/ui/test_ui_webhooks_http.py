"""The Webhooks page over plain HTTP: its JSON calls act like the API (same validators, same
units of work), refuse bad input with 400 and store nothing, and need the CSRF token."""
from __future__ import annotations

from typing import Iterator

import httpx
import pytest
from ui_helpers import csrf_token, send_api
from webhook_helpers import ENDPOINTS, deliveries, endpoint_of, subscribe
from webhook_receiver import Receiver

PROBLEM = "application/problem+json"


@pytest.fixture
def ui(sandbox) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=sandbox.http_url, timeout=30, follow_redirects=False) as client:
        client.headers["X-CSRF-Token"] = csrf_token(client, "/webhooks")
        yield client


@pytest.fixture(scope="module")
def receiver() -> Iterator[Receiver]:
    running = Receiver()
    yield running
    running.stop()


def _endpoint_urls(api: httpx.Client) -> list[str]:
    return [e["url"] for e in api.get(ENDPOINTS, params={"page_size": 100}).json()["results"]]


def test_create_edit_rotate_and_delete_like_the_api(api, ui, unique):
    url = f"https://hooks.example/{unique}"
    created = ui.post("/ui/api/webhooks/endpoints", json={"url": url, "events": ["email.delivered", "email.opened"],
                                                          "description": "orders"})
    assert created.status_code == 201, created.text
    endpoint = created.json()["endpoint"]
    assert endpoint["secret"].startswith("whsec_") and url in created.json()["rows"]
    assert endpoint_of(api, endpoint)["secret"] == endpoint["secret"]

    changed = ui.patch(f"/ui/api/webhooks/endpoints/{endpoint['id']}", json={"events": ["*"], "active": False})
    assert changed.status_code == 200, changed.text
    stored = endpoint_of(api, endpoint)
    assert stored["events"] == ["*"] and stored["active"] is False
    assert stored["disabled_reason"] and stored["disabled_reason"] in changed.json()["rows"]

    rotated = ui.post(f"/ui/api/webhooks/endpoints/{endpoint['id']}/rotate-secret", json={"grace_period_seconds": 60})
    assert rotated.status_code == 200, rotated.text
    assert rotated.json()["endpoint"]["secret"] != endpoint["secret"]
    assert endpoint_of(api, endpoint)["previous_secret_expires_at"] is not None

    assert ui.delete(f"/ui/api/webhooks/endpoints/{endpoint['id']}").status_code == 200
    assert api.get(f"{ENDPOINTS}{endpoint['id']}/").status_code == 404


@pytest.mark.parametrize("body, field", [
    ({"url": "ftp://x.example/hook", "events": ["*"]}, "url"),
    ({"url": "not a url", "events": ["*"]}, "url"),
    ({"url": "https://x.example/hook", "events": ["email.exploded"]}, "events[0]"),
    ({"url": "https://x.example/hook", "events": []}, "events"),
    ({"url": "https://x.example/hook"}, "events"),
    ({"url": "https://x.example/hook", "events": ["*"], "surprise": 1}, "surprise"),
])
def test_bad_endpoint_is_400_and_nothing_stored(api, ui, body, field):
    before = _endpoint_urls(api)
    response = ui.post("/ui/api/webhooks/endpoints", json=body)
    assert response.status_code == 400 and response.headers["content-type"] == PROBLEM
    assert field in response.json()["errors"], response.json()
    assert _endpoint_urls(api) == before


@pytest.mark.parametrize("path, body, field", [
    ("", {}, "body"),
    ("", {"events": ["nope"]}, "events[0]"),
    ("", {"active": "yes"}, "active"),
    ("/rotate-secret", {"grace_period_seconds": -1}, "grace_period_seconds"),
    ("/replay", {"since": "last tuesday"}, "since"),
    ("/replay", {"everything": True}, "everything"),
])
def test_bad_changes_are_400_and_change_nothing(api, ui, unique, path, body, field):
    endpoint = subscribe(api, f"https://hooks.example/bad-{unique}", ["email.sent"])
    method = "PATCH" if path == "" else "POST"
    response = ui.request(method, f"/ui/api/webhooks/endpoints/{endpoint['id']}{path}", json=body)
    assert response.status_code == 400 and response.headers["content-type"] == PROBLEM
    assert field in response.json()["errors"], response.json()
    stored = endpoint_of(api, endpoint)
    assert (stored["events"], stored["active"], stored["secret"]) == (["email.sent"], True, endpoint["secret"])
    api.delete(f"{ENDPOINTS}{endpoint['id']}/")  # the shared sandbox posts nothing more to it


def test_state_changes_need_csrf_and_same_origin(api, ui, unique):
    endpoint = subscribe(api, f"https://hooks.example/csrf-{unique}", ["email.sent"])
    before = _endpoint_urls(api)
    body = {"url": f"https://hooks.example/evil-{unique}", "events": ["*"]}
    token = ui.headers.pop("X-CSRF-Token")
    assert ui.post("/ui/api/webhooks/endpoints", json=body).status_code == 403
    assert ui.delete(f"/ui/api/webhooks/endpoints/{endpoint['id']}").status_code == 403
    assert ui.post(f"/ui/api/webhooks/endpoints/{endpoint['id']}/replay").status_code == 403
    cross = ui.post("/ui/api/webhooks/endpoints", json=body,
                    headers={"X-CSRF-Token": token, "Origin": "https://evil.example"})
    assert cross.status_code == 403 and cross.json()["type"].endswith("csrf-failed")
    assert _endpoint_urls(api) == before


def test_unknown_ids_are_404(ui):
    missing = "00000000-0000-4000-8000-000000000000"
    assert ui.patch(f"/ui/api/webhooks/endpoints/{missing}", json={"active": True}).status_code == 404
    assert ui.post(f"/ui/api/webhooks/deliveries/{missing}/redeliver").status_code == 404
    assert ui.post(f"/ui/api/webhooks/endpoints/{missing}/replay").status_code == 404
    assert ui.get(f"/webhooks/deliveries/{missing}").status_code == 404


def test_test_event_redeliver_and_the_log(api, ui, unique, receiver):
    name = f"ui-{unique}"
    endpoint = subscribe(api, receiver.url(name), ["email.sent"])
    sent = ui.post(f"/ui/api/webhooks/endpoints/{endpoint['id']}/test")
    assert sent.status_code == 200, sent.text
    delivery = sent.json()["delivery"]
    [attempt] = delivery["attempts"]
    assert attempt["response"]["status"] == 200
    assert receiver.wait_for(name, 1)[0].body == attempt["request"]["body"]

    page = ui.get(f"/webhooks/deliveries/{delivery['id']}")
    assert page.status_code == 200 and "webhook.test" in page.text
    assert delivery["webhook_id"] in page.text

    again = ui.post(f"/ui/api/webhooks/deliveries/{delivery['id']}/redeliver")
    assert again.status_code == 202, again.text
    received = receiver.wait_for(name, 2)
    assert received[1].body == received[0].body and received[1].headers["webhook-id"] == delivery["webhook_id"]

    email = send_api(api, subject=f"hooked {unique}")
    receiver.wait_for(name, 3)
    log = ui.get("/ui/api/webhooks/deliveries", params={"endpoint": endpoint["id"], "event_type": "email.sent"})
    assert log.status_code == 200 and log.json()["total"] == 1
    [row] = deliveries(api, endpoint=endpoint["id"], event_type="email.sent")
    assert row["email_id"] == email["id"] and row["id"] in log.json()["html"]
    listing = ui.get("/webhooks", params={"endpoint": endpoint["id"]})
    assert listing.status_code == 200 and row["id"] in listing.text and receiver.url(name) in listing.text


@pytest.mark.parametrize("params", [{"status": "exploded"}, {"endpoint": "nope"}, {"page": "0"}])
def test_bad_log_filters_are_400(ui, params):
    assert ui.get("/ui/api/webhooks/deliveries", params=params).status_code == 400
    assert ui.get("/webhooks", params=params).status_code == 400


def test_replay_waits_for_re_enabling_then_sends_the_skipped_once(api, ui, unique, receiver):
    name = f"ui-replay-{unique}"
    endpoint = subscribe(api, receiver.url(name), ["email.sent"])
    ui.patch(f"/ui/api/webhooks/endpoints/{endpoint['id']}", json={"active": False})
    email = send_api(api, subject=f"while off {unique}")
    refused = ui.post(f"/ui/api/webhooks/endpoints/{endpoint['id']}/replay")
    assert refused.status_code == 409 and refused.headers["content-type"] == PROBLEM
    assert "Re-enable it" in refused.json()["detail"]
    assert endpoint_of(api, endpoint)["missed_deliveries"] == 1

    enabled = ui.patch(f"/ui/api/webhooks/endpoints/{endpoint['id']}", json={"active": True})
    assert "Replay 1 missed" in enabled.json()["rows"]
    replayed = ui.post(f"/ui/api/webhooks/endpoints/{endpoint['id']}/replay")
    assert replayed.status_code == 202 and replayed.json()["replayed"] == 1
    assert "Replay 1 missed" not in replayed.json()["rows"]
    [received] = receiver.wait_for(name, 1)
    assert received.body.count(email["id"]) == 1
    assert ui.post(f"/ui/api/webhooks/endpoints/{endpoint['id']}/replay").json()["replayed"] == 0
    api.delete(f"{ENDPOINTS}{endpoint['id']}/")  # the receiver stops with this module
