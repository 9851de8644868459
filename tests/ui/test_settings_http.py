"""The chaos-rule and contact calls of the Settings and Contacts pages over plain HTTP: CSRF,
stale edits refused, and bad input answered with a problem naming the field, nothing changed."""
from __future__ import annotations

import httpx
import pytest
from helpers import assert_problem
from ui_helpers import csrf_token

RULE = {"stage": "rcpt", "code": 550, "match": ["*@nope.test"], "probability": 100, "delay": 0}


@pytest.fixture
def ui(own_sandbox):
    with httpx.Client(base_url=own_sandbox.http_url, timeout=30, follow_redirects=False) as client:
        client.headers["X-CSRF-Token"] = csrf_token(client)
        yield client


@pytest.fixture
def no_chaos(own_sandbox):
    with own_sandbox.client() as api:
        assert api.put("/api/v1/sandbox/chaos/", json={}).status_code == 200
        yield api
        api.put("/api/v1/sandbox/chaos/", json={})


def test_a_rule_is_added_changed_and_removed_one_at_a_time(ui, no_chaos):
    added = ui.post("/ui/api/chaos/smtp", json={"rule": {"stage": "rcpt", "code": 550, "match": "*@nope.test"}})
    assert added.status_code == 201, added.text
    assert added.json()["smtp"] == [RULE]
    changed = ui.put("/ui/api/chaos/smtp/0", json={"rule": {**RULE, "code": 451}, "seen": RULE})
    assert changed.status_code == 200 and changed.json()["smtp"][0]["code"] == 451
    assert no_chaos.get("/api/v1/sandbox/chaos/").json()["smtp"][0]["code"] == 451
    removed = ui.request("DELETE", "/ui/api/chaos/smtp/0", json={"seen": {**RULE, "code": 451}})
    assert removed.status_code == 200 and removed.json()["smtp"] == []


def test_a_change_to_a_rule_someone_else_changed_meanwhile_is_refused(ui, no_chaos):
    assert ui.post("/ui/api/chaos/smtp", json={"rule": RULE}).status_code == 201
    no_chaos.put("/api/v1/sandbox/chaos/", json={"smtp": [{**RULE, "code": 554}]})  # the API changes it
    assert_problem(ui.put("/ui/api/chaos/smtp/0", json={"rule": RULE, "seen": RULE}), 409)
    assert_problem(ui.request("DELETE", "/ui/api/chaos/smtp/0", json={"seen": RULE}), 409)
    assert_problem(ui.request("DELETE", "/ui/api/chaos/smtp/5", json={"seen": RULE}), 404)
    assert no_chaos.get("/api/v1/sandbox/chaos/").json()["smtp"] == [{**RULE, "code": 554}]


@pytest.mark.parametrize("method, path, body, field", [
    ("POST", "/ui/api/chaos/smtp", {"rule": {"stage": "helo", "code": 550}}, "stage"),
    ("POST", "/ui/api/chaos/smtp", {"rule": {"stage": "rcpt"}}, "body"),
    ("POST", "/ui/api/chaos/http", {"rule": {"status": 418}}, "status"),
    ("POST", "/ui/api/chaos/http", {"rule": {"status": 503, "path": "re:("}}, "path"),
    ("POST", "/ui/api/chaos/http", {}, "rule"),
    ("PUT", "/ui/api/chaos/smtp/0", {"rule": RULE}, "seen"),
    ("DELETE", "/ui/api/chaos/smtp/0", {}, "seen"),
    ("PUT", "/ui/api/chaos/seed", {"seed": "seven"}, "seed"),
])
def test_a_bad_chaos_call_names_the_field_and_changes_nothing(ui, no_chaos, method, path, body, field):
    before = no_chaos.get("/api/v1/sandbox/chaos/").json()
    problem = assert_problem(ui.request(method, path, json=body), 400)
    assert field in problem["errors"], problem
    assert no_chaos.get("/api/v1/sandbox/chaos/").json() == before


def test_chaos_calls_need_the_csrf_token(own_sandbox, no_chaos):
    with httpx.Client(base_url=own_sandbox.http_url, timeout=30) as bare:
        assert_problem(bare.post("/ui/api/chaos/smtp", json={"rule": RULE}), 403)
    assert no_chaos.get("/api/v1/sandbox/chaos/").json()["smtp"] == []


def test_the_seed_is_set_and_reported(ui, no_chaos):
    response = ui.put("/ui/api/chaos/seed", json={"seed": 42})
    assert response.status_code == 200 and response.json()["seed"] == 42
    assert no_chaos.get("/api/v1/sandbox/chaos/").json()["seed"] == 42


@pytest.mark.parametrize("body, field", [
    ({"email": "nope"}, "email"),
    ({"email": "a@example.com", "attributes": {"bad key": 1}}, "attributes.bad key"),
    ({"email": "a@example.com", "status": "bounced"}, "status"),
    ({"email": "a@example.com", "lists": ["not-a-uuid"]}, "lists[0]"),
    ({"first_name": "x"}, "email"),
])
def test_a_bad_contact_from_the_page_names_the_field_and_stores_nothing(ui, own_sandbox, body, field):
    with own_sandbox.client() as api:
        before = api.get("/api/v1/contacts/", params={"page_size": 1}).json()["count"]
        problem = assert_problem(ui.post("/ui/api/contacts", json=body), 400)
        assert field in problem["errors"], problem
        assert api.get("/api/v1/contacts/", params={"page_size": 1}).json()["count"] == before


def test_editing_an_unknown_contact_is_a_404(ui):
    assert_problem(ui.patch("/ui/api/contacts/00000000-0000-4000-8000-000000000000", json={"first_name": "x"}), 404)
