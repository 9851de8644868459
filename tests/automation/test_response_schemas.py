"""What the automation routes answer matches the OpenAPI document exactly: every workflow, run
and history entry a real workflow produces (each step type, each way a run ends) validates
against the document's response schema for its route, which allows no field it does not state."""
from __future__ import annotations

import re

import jsonschema_rs
import pytest
from helpers_automation import BASE, DAY, advance, post_event, template
from webhook_receiver import Receiver


@pytest.fixture
def api(own_sandbox):
    with own_sandbox.client() as client:
        yield client


@pytest.fixture(scope="module")
def receiver():
    running = Receiver()
    yield running
    running.stop()


def _checker(api):
    """check(method, path, status, body): the body is valid against the document's schema for it."""
    document = api.get("/api/v1/openapi.json").json()

    def check(method: str, path: str, status: int, body: dict) -> None:
        template_path = next(p for p in document["paths"] if method.lower() in document["paths"][p]
                             and re.fullmatch(re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(p)), path))
        answer = document["paths"][template_path][method.lower()]["responses"][str(status)]
        schema = {**answer["content"]["application/json"]["schema"], "components": document["components"]}
        validator = jsonschema_rs.validator_for(schema)
        problems = [f"{error.instance_path}: {error.message}" for error in validator.iter_errors(body)]
        assert problems == [], (method, path, problems)
    return check


def _ok(response, status: int = 200) -> dict:
    assert response.status_code == status, response.text
    return response.json()


def test_workflows_runs_and_every_kind_of_history_entry_match_their_documented_schemas(api, receiver, unique):
    check = _checker(api)
    club = _ok(api.post("/api/v1/contacts/lists/", json={"name": f"Club {unique}"}), 201)["id"]
    hello, gone = template(api, f"Hello {unique}"), template(api, f"Soon gone {unique}")
    event = f"joined_{unique}"
    body = {"name": "Every step", "status": "active", "trigger": {"type": "custom_event", "event": event},
            "steps": [
                {"type": "send_email", "template_id": hello, "tags": ["welcome"]},
                {"type": "wait", "duration": "1d"},
                {"type": "condition", "email_step": 0, "email_event": "opened", "yes": 3, "no": 3},
                {"type": "add_to_list", "list_id": club},
                {"type": "remove_from_list", "list_id": club},
                {"type": "update_attribute", "attribute": "stage", "value": 2},
                {"type": "call_url", "url": receiver.url(f"step-{unique}")},
                {"type": "condition", "attribute": "stage", "operator": "exists", "yes": 8, "no": "exit"},
                {"type": "wait", "until_attribute": "renewal"},  # no such date: skipped
                {"type": "send_email", "template_id": gone},
                {"type": "exit"}]}
    created = _ok(api.post(BASE, json=body), 201)
    check("POST", BASE, 201, created)
    assert created["runs"] == {"ready": 0, "waiting": 0, "completed": 0, "exited": 0, "failed": 0}

    posted = _ok(api.post(BASE + "events/", json={"event": event, "email": f"a-{unique}@example.com"}), 202)
    check("POST", BASE + "events/", 202, posted)
    unsubscriber = f"unsubscribed+{unique}@simulator.gclap.test"
    post_event(api, event, unsubscriber)  # its first email unsubscribes it: the run exits
    manual = _ok(api.post(BASE, json={**body, "name": "By hand", "trigger": {"type": "manual"},
                                      "steps": [{"type": "send_email", "template_id": gone}]}), 201)
    enrolled = _ok(api.post(f"{BASE}{manual['id']}/enroll/", json={"emails": [f"a-{unique}@example.com",
                                                                              f"nobody-{unique}@example.com"]}))
    check("POST", f"{BASE}{manual['id']}/enroll/", 200, enrolled)
    assert enrolled["not_found"] == {"contact_ids": [], "emails": [f"nobody-{unique}@example.com"]}

    assert api.delete(f"/api/v1/templates/{gone}/").status_code == 204  # the last send fails
    advance(api, DAY + 60)

    runs = _ok(api.get(f"{BASE}{created['id']}/runs/"))
    check("GET", f"{BASE}{created['id']}/runs/", 200, runs)
    by_email = {run["contact_email"]: run for run in runs["results"]}
    finished = by_email[f"a-{unique}@example.com"]
    assert finished["status"] == "failed" and finished["contact_id"] == posted["contact_id"]
    assert [h["outcome"] for h in finished["history"]] == [
        "sent", "waiting", "no", "done", "done", "done", "called", "yes", "skipped", "failed"]
    assert by_email[unsubscriber]["status"] == "exited"
    for path in (BASE, f"{BASE}{created['id']}/"):
        check("GET", path, 200, _ok(api.get(path)))
    check("GET", f"{BASE}{manual['id']}/runs/", 200, _ok(api.get(f"{BASE}{manual['id']}/runs/")))
