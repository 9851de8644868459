"""Bad input on every automation route is a problem+json 400/404/409 that stores nothing; runs
survive a restart on a file database."""
from __future__ import annotations

import pytest
from helpers_automation import BASE, DAY, advance, emails_to, post_event, template, workflow


@pytest.fixture
def api(own_sandbox):
    with own_sandbox.client() as client:
        yield client


@pytest.mark.parametrize("steps, path", [
    ([{"type": "send_email", "template_id": "00000000-0000-4000-8000-000000000000"}], "steps[0].template_id"),
    ([{"type": "exit"}, {"type": "exit"}, {"type": "send_email",
                                          "template_id": "00000000-0000-4000-8000-000000000000"}],
     "steps[2].template_id"),
])
def test_a_step_naming_an_unknown_template_is_a_404_unknown_reference_and_nothing_is_stored(api, steps, path):
    before = api.get(BASE).json()["count"]
    response = api.post(BASE, json={"name": "bad", "trigger": {"type": "manual"}, "steps": steps})
    assert response.status_code == 404
    assert response.json()["type"].endswith("/unknown-reference")
    assert path in response.json()["errors"]
    assert api.get(BASE).json()["count"] == before


@pytest.mark.parametrize("steps, path", [
    ([{"type": "wait"}], "steps[0].duration"),
    ([{"type": "wait", "duration": "soon"}], "steps[0].duration"),
    ([{"type": "condition", "attribute": "plan", "yes": "exit"}], "steps[0].no"),
    ([{"type": "condition", "attribute": "plan", "yes": 0, "no": "exit"}], "steps[0].yes"),
    ([{"type": "teleport"}], "steps[0].type"),
    ([{"type": "call_url", "url": "ftp://x"}], "steps[0].url"),
])
def test_a_bad_step_is_named_and_nothing_is_stored(api, steps, path):
    before = api.get(BASE).json()["count"]
    response = api.post(BASE, json={"name": "bad", "trigger": {"type": "manual"}, "steps": steps})
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/problem+json")
    assert path in response.json()["errors"]
    assert api.get(BASE).json()["count"] == before


@pytest.mark.parametrize("method, path, body", [
    ("POST", "", {"name": "x", "trigger": {"type": "email_event", "event": "email.sent"}}),
    ("POST", "", {"name": "x", "trigger": {"type": "added_to_list"}}),
    ("POST", "", {"name": "", "trigger": {"type": "manual"}}),
    ("POST", "events/", {"event": "signed_up", "email": "not an address"}),
    ("POST", "events/", {"email": "a@example.com"}),
])
def test_bad_bodies_are_refused(api, method, path, body):
    response = api.request(method, BASE + path, json=body)
    assert response.status_code == 400, response.text
    assert response.headers["content-type"].startswith("application/problem+json")


def test_unknown_workflows_and_inactive_enrolment(api):
    missing = "00000000-0000-4000-8000-000000000000"
    for method, path in (("GET", ""), ("PATCH", ""), ("DELETE", ""), ("GET", "runs/")):
        response = api.request(method, f"{BASE}{missing}/{path}", json={} if method == "PATCH" else None)
        assert response.status_code == 404, (method, path)
        assert response.headers["content-type"].startswith("application/problem+json")
    draft = api.post(BASE, json={"name": "d", "trigger": {"type": "manual"}, "steps": []}).json()
    refused = api.post(f"{BASE}{draft['id']}/enroll/", json={"emails": ["a@example.com"]})
    assert refused.status_code == 409
    assert api.post(f"{BASE}{draft['id']}/enroll/", json={}).status_code == 400


def test_a_waiting_run_goes_on_after_a_restart(launch, tmp_path, unique):
    db = str(tmp_path / "sandbox.sqlite3")
    first = launch(db=db)
    with first.client() as api:
        workflow(api, {"type": "custom_event", "event": "joined"}, [
            {"type": "send_email", "template_id": template(api, "One")},
            {"type": "wait", "duration": "1d"},
            {"type": "send_email", "template_id": template(api, "Two")}])
        post_event(api, "joined", f"p-{unique}@example.com")
    first.stop()
    second = launch(db=db)
    with second.client() as api:
        advance(api, DAY + 60)
        assert sorted(e["subject"] for e in emails_to(api, f"p-{unique}@example.com")) == ["One", "Two"]
