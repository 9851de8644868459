"""Each trigger enrols contacts; each step does what it says; re-entry and unsubscribe exits."""
from __future__ import annotations

import json

import pytest
from helpers_automation import BASE, DAY, advance, emails_to, post_event, runs, template, workflow
from webhook_receiver import Receiver

from gclap_sandbox.webhooks import signing


@pytest.fixture
def api(own_sandbox):
    with own_sandbox.client() as client:
        yield client


def _contact(api, address: str, **fields) -> dict:
    response = api.post("/api/v1/contacts/", json={"email": address, **fields})
    assert response.status_code == 201, response.text
    return response.json()


def _list(api, name: str) -> str:
    response = api.post("/api/v1/contacts/lists/", json={"name": name})
    assert response.status_code == 201, response.text
    return response.json()["id"]


def _wait_for_email(api, address: str) -> list[dict]:
    response = api.get("/api/v1/emails/", params={"to": address, "wait": 10})
    assert response.status_code == 200, response.text
    return response.json()["results"]


def test_creating_a_contact_enrols_it(api, unique):
    subject = f"Hello new contact {unique}"
    flow = workflow(api, {"type": "contact_created"},
                    [{"type": "send_email", "template_id": template(api, subject)}])
    try:
        _contact(api, f"c-{unique}@example.com")
        assert [e["subject"] for e in _wait_for_email(api, f"c-{unique}@example.com")] == [subject]
    finally:  # later tests in this sandbox create contacts of their own
        assert api.patch(f"{BASE}{flow['id']}/", json={"status": "paused"}).status_code == 200


def test_adding_a_contact_to_a_list_enrols_it_once_per_new_membership(api, unique):
    list_id = _list(api, f"list {unique}")
    flow = workflow(api, {"type": "added_to_list", "list_id": list_id},
                    [{"type": "update_attribute", "attribute": "joined", "value": "yes"}])
    contact = _contact(api, f"l-{unique}@example.com")
    for _ in range(2):
        api.post(f"/api/v1/contacts/lists/{list_id}/members/", json={"contact_ids": [contact["id"]]})
    advance(api, 1)
    (run,) = runs(api, flow["id"])
    assert run["status"] == "completed" and run["trigger"] == {"type": "added_to_list", "list_id": list_id}
    assert api.get(f"/api/v1/contacts/{contact['id']}/").json()["attributes"]["joined"] == "yes"


def test_an_email_event_with_a_tag_filter_enrols_only_for_that_tag(api, unique):
    flow = workflow(api, {"type": "email_event", "event": "email.clicked", "tag": f"promo-{unique}"},
                    [{"type": "update_attribute", "attribute": "clicked_promo", "value": True}])
    address = f"e-{unique}@example.com"
    _contact(api, address)
    for tag in ("other", f"promo-{unique}"):
        sent = api.post("/api/v1/emails/send/", json={"to": address, "subject": "x", "text": "y", "tags": [tag],
                                                      "simulate": ["clicked"]})
        assert sent.status_code == 202, sent.text
    advance(api, 3600)
    (run,) = runs(api, flow["id"])
    assert run["trigger"]["event"] == "email.clicked"
    assert run["status"] == "completed"


def test_a_date_attribute_enrols_on_its_day_with_the_offset(api, unique):
    now = api.get("/api/v1/sandbox/clock/").json()["now"]
    from datetime import datetime, timedelta
    today = datetime.fromisoformat(now.replace("Z", "+00:00")).date()
    renewal = (today + timedelta(days=3)).isoformat()
    flow = workflow(api, {"type": "date_attribute", "attribute": f"renews_{unique}", "offset": "-1d"},
                    [{"type": "exit"}])
    _contact(api, f"d-{unique}@example.com", attributes={f"renews_{unique}": renewal})
    advance(api, DAY)
    assert runs(api, flow["id"]) == []
    advance(api, DAY)
    (run,) = runs(api, flow["id"])
    assert run["trigger"]["on"] == (today + timedelta(days=2)).isoformat()


def test_manual_enrolment_and_the_once_rule(api, unique):
    flow = workflow(api, {"type": "manual"}, [{"type": "exit"}])
    contact = _contact(api, f"m-{unique}@example.com")
    first = api.post(f"{BASE}{flow['id']}/enroll/", json={"contact_ids": [contact["id"]]})
    again = api.post(f"{BASE}{flow['id']}/enroll/", json={"emails": [contact["email"]]})
    assert first.json()["runs"][0]["enrolled"] is True
    assert again.json()["runs"][0]["enrolled"] is False
    assert len(runs(api, flow["id"])) == 1


def test_after_finish_lets_a_contact_enter_again_once_its_run_ended(api, unique):
    flow = workflow(api, {"type": "custom_event", "event": f"ping_{unique}"},
                    [{"type": "wait", "duration": "1h"}], reentry="after_finish")
    address = f"r-{unique}@example.com"
    assert post_event(api, f"ping_{unique}", address)["runs"][0]["enrolled"] is True
    assert post_event(api, f"ping_{unique}", address)["runs"][0]["enrolled"] is False  # still waiting
    advance(api, 3601)
    assert post_event(api, f"ping_{unique}", address)["runs"][0]["enrolled"] is True
    assert sorted(r["status"] for r in runs(api, flow["id"])) == ["completed", "waiting"]


def test_unsubscribing_ends_the_run(api, unique):
    later = template(api, f"Later {unique}")
    flow = workflow(api, {"type": "custom_event", "event": f"u_{unique}"}, [
        {"type": "send_email", "template_id": template(api, f"First {unique}"), "simulate": ["unsubscribed"]},
        {"type": "wait", "duration": "1d"},
        {"type": "send_email", "template_id": later}])
    address = f"u-{unique}@example.com"
    post_event(api, f"u_{unique}", address)
    advance(api, 2 * DAY)
    assert [e["subject"] for e in emails_to(api, address)] == [f"First {unique}"]
    (run,) = runs(api, flow["id"])
    assert run["status"] == "exited"
    assert run["history"][-1]["reason"] == "the contact unsubscribed"


def test_list_steps_attribute_condition_and_a_signed_call(api, unique):
    receiver = Receiver()
    try:
        list_a, list_b = _list(api, f"a {unique}"), _list(api, f"b {unique}")
        flow = workflow(api, {"type": "manual"}, [
            {"type": "add_to_list", "list_id": list_a},
            {"type": "condition", "attribute": "plan", "value": "pro", "yes": 2, "no": 3},
            {"type": "remove_from_list", "list_id": list_b},
            {"type": "call_url", "url": receiver.url(f"hook-{unique}")},
        ])
        contact = _contact(api, f"s-{unique}@example.com", attributes={"plan": "pro"}, lists=[list_b])
        api.post(f"{BASE}{flow['id']}/enroll/", json={"contact_ids": [contact["id"]]})
        (run,) = runs(api, flow["id"])
        assert [h["outcome"] for h in run["history"]] == ["done", "yes", "done", "called"]
        assert api.get(f"/api/v1/contacts/{contact['id']}/").json()["lists"] == [list_a]
        (call,) = receiver.requests[f"hook-{unique}"]
        secret = next(s for s in api.get(f"{BASE}{flow['id']}/").json()["steps"] if s["type"] == "call_url")["secret"]
        expected = signing.sign(secret, call.headers["webhook-id"], int(call.headers["webhook-timestamp"]), call.body)
        assert expected in call.headers["webhook-signature"].split()
        assert json.loads(call.body)["contact"]["email"] == contact["email"]
    finally:
        receiver.stop()
