"""The delivery panels, API keys, contacts and templates pages over plain HTTP: their JSON
calls, CSRF, and bad input (400 problem+json or an error page, nothing changed)."""
from __future__ import annotations

import httpx
import pytest
from ui_helpers import csrf_token, rich_email, send_api

PROBLEM = "application/problem+json"


@pytest.fixture
def ui(sandbox):
    with httpx.Client(base_url=sandbox.http_url, timeout=30, follow_redirects=False) as client:
        yield client


def _events(api, email_id: str) -> list[dict]:
    return api.get("/api/v1/events/", params={"email": email_id, "page_size": 100}).json()["results"]


def test_simulate_records_the_event_like_the_api(api, ui, unique):
    email = rich_email(api, f"sim {unique}")
    response = ui.post(f"/ui/api/emails/{email['id']}/simulate", headers={"X-CSRF-Token": csrf_token(ui)},
                       json={"event": "email.clicked", "recipient": "Ana <ana@example.com>",
                             "url": "https://shop.example/orders/42"})
    assert response.status_code == 201, response.text
    assert response.json()["status"] == "clicked"
    [event] = response.json()["events"]
    assert event["recipient"] == "ana@example.com" and event["data"]["url"] == "https://shop.example/orders/42"
    panels = ui.get(f"/ui/api/emails/{email['id']}/panels").json()
    assert "email.clicked" in panels["panels"]["panels/timeline.html"]
    assert "status-clicked" in panels["panels"]["panels/recipients.html"]


@pytest.mark.parametrize("body, field, status", [
    ({"event": "exploded"}, "event", 400),
    ({"event": "opened", "url": "https://x.example"}, "url", 400),
    ({"event": "clicked", "url": "javascript:alert(1)"}, "url", 400),
    ({"event": "opened", "recipient": "stranger@example.com"}, "recipient", 404),  # not one of its recipients
    ({"event": "opened", "surprise": 1}, "surprise", 400),
    ({}, "event", 400),
])
def test_simulate_bad_input_is_refused_and_records_nothing(api, ui, unique, body, field, status):
    email = send_api(api, subject=f"bad sim {unique}")
    before = len(_events(api, email["id"]))
    response = ui.post(f"/ui/api/emails/{email['id']}/simulate", json=body,
                       headers={"X-CSRF-Token": csrf_token(ui)})
    assert response.status_code == status and response.headers["content-type"] == PROBLEM
    assert field in response.json()["errors"]
    assert len(_events(api, email["id"])) == before


def test_simulate_needs_csrf_and_a_known_email(api, ui, unique):
    email = send_api(api, subject=f"csrf sim {unique}")
    refused = ui.post(f"/ui/api/emails/{email['id']}/simulate", json={"event": "spam"})
    assert refused.status_code == 403 and refused.json()["type"].endswith("csrf-failed")
    cross = ui.post(f"/ui/api/emails/{email['id']}/simulate", json={"event": "spam"},
                    headers={"X-CSRF-Token": csrf_token(ui), "Origin": "https://evil.example"})
    assert cross.status_code == 403
    assert not [e for e in _events(api, email["id"]) if e["type"] == "email.spam"]
    missing = ui.post("/ui/api/emails/00000000-0000-4000-8000-000000000000/simulate", json={"event": "spam"},
                      headers={"X-CSRF-Token": csrf_token(ui)})
    assert missing.status_code == 404


def test_release_without_a_relay_is_a_409(api, ui, unique):
    email = send_api(api, subject=f"no relay {unique}")
    for path, body in [("release/plan", {}), ("release", {"confirm_upstream": "smtp://x:25"})]:
        response = ui.post(f"/ui/api/emails/{email['id']}/{path}", json=body, headers={"X-CSRF-Token": csrf_token(ui)})
        assert response.status_code == 409 and response.json()["type"].endswith("relay-not-configured")
    bad = ui.post(f"/ui/api/emails/{email['id']}/release", json={"to": ["not an address"], "confirm_upstream": "x"},
                  headers={"X-CSRF-Token": csrf_token(ui)})
    assert bad.status_code == 400 and "to[0]" in bad.json()["errors"]


def test_release_relays_to_other_recipients(launch, smtp_sink):
    box = launch("--relay", smtp_sink.url, "--relay-mode", "manual")
    with box.client() as api, httpx.Client(base_url=box.http_url, timeout=30) as ui:
        email = send_api(api, subject="release by ui", to=["dev@example.com"])
        response = ui.post(f"/ui/api/emails/{email['id']}/release",
                           json={"to": ["qa@example.com"], "confirm_upstream": smtp_sink.url},
                           headers={"X-CSRF-Token": csrf_token(ui)})
        assert response.status_code == 200, response.text
        assert response.json()["status"] == "relayed" and response.json()["last_reply"]["code"] == 250
        assert smtp_sink.wait_for(1)[0].rcpt_tos == ["qa@example.com"]
        relay = api.get(f"/api/v1/emails/{email['id']}/").json()["relay"]
        assert relay["status"] == "relayed" and relay["attempts"] == 1
        assert "relayed upstream" in ui.get("/").text


def test_key_created_in_the_ui_works_and_is_listed_without_its_secret(sandbox, ui, unique):
    response = ui.post("/ui/api/keys", json={"name": f"ui {unique}", "scopes": ["emails:read"], "expires_in_days": 7},
                       headers={"X-CSRF-Token": csrf_token(ui)})
    assert response.status_code == 201, response.text
    key = response.json()["key"]
    assert key["key"].startswith("gclap_test_") and key["scopes"] == ["emails:read"] and key["expires_at"]
    assert key["key"] not in response.json()["rows"]
    page = ui.get("/settings/api-keys")
    assert f"ui {unique}" in page.text and key["key"] not in page.text
    assert f"{key['prefix']}…{key['last4']}" in page.text
    headers = {"Authorization": f"Bearer {key['key']}"}
    assert httpx.get(f"{sandbox.http_url}/api/v1/emails/", headers=headers).status_code == 200


@pytest.mark.parametrize("body, fields", [
    ({"name": ""}, {"name"}),
    ({"name": "x", "scopes": ["emails:fly"]}, {"scopes[0]"}),
    ({"name": "x", "expires_in_days": 0}, {"expires_in_days"}),
    ({"scopes": "emails:read"}, {"name", "scopes"}),
    ({"name": "x", "key": "gclap_test_mine"}, {"key"}),
])
def test_key_bad_input_is_400_and_creates_nothing(api, ui, body, fields):
    before = api.get("/api/v1/accounts/api-keys/").json()["count"]
    response = ui.post("/ui/api/keys", json=body, headers={"X-CSRF-Token": csrf_token(ui)})
    assert response.status_code == 400 and response.headers["content-type"] == PROBLEM
    assert set(response.json()["errors"]) == fields
    assert api.get("/api/v1/accounts/api-keys/").json()["count"] == before


def test_revoke_and_rotate_from_the_ui(sandbox, api, ui, unique):
    made = api.post("/api/v1/accounts/api-keys/", json={"name": f"rot {unique}"}).json()
    token = csrf_token(ui)
    bad = ui.post(f"/ui/api/keys/{made['id']}/rotate", json={"grace_period_seconds": -1},
                  headers={"X-CSRF-Token": token})
    assert bad.status_code == 400 and "grace_period_seconds" in bad.json()["errors"]
    rotated = ui.post(f"/ui/api/keys/{made['id']}/rotate", json={"grace_period_seconds": 3600},
                      headers={"X-CSRF-Token": token})
    assert rotated.status_code == 201 and rotated.json()["key"]["rotated_from"] == made["id"]
    old = {"Authorization": f"Bearer {made['key']}"}
    assert httpx.get(f"{sandbox.http_url}/api/v1/emails/", headers=old).status_code == 200  # grace period
    assert ui.delete(f"/ui/api/keys/{made['id']}", headers={"X-CSRF-Token": token}).status_code == 200
    assert httpx.get(f"{sandbox.http_url}/api/v1/emails/", headers=old).status_code == 401
    assert ui.delete(f"/ui/api/keys/{made['id']}").status_code == 403  # no CSRF token
    missing = ui.delete("/ui/api/keys/00000000-0000-4000-8000-000000000000", headers={"X-CSRF-Token": token})
    assert missing.status_code == 404


def test_ui_json_calls_need_the_session_when_a_password_is_set(launch):
    box = launch("--ui-password", "pw")
    with httpx.Client(base_url=box.http_url, timeout=30) as ui:
        assert ui.post("/ui/api/keys", json={"name": "x"}).status_code == 401
        assert ui.get("/settings/api-keys").status_code == 303
        assert ui.post("/ui/api/templates/preview", json={}).status_code == 401


@pytest.mark.parametrize("query", ["status=lost", "page=0", "page=x", "list=nope", "surprise=1"])
def test_contacts_page_bad_filters_are_a_400_page(ui, query):
    response = ui.get(f"/contacts?{query}")
    assert response.status_code == 400 and response.headers["content-type"].startswith("text/html")


def test_contacts_page_filters_and_contact_detail(api, ui, unique):
    team = api.post("/api/v1/contacts/lists/", json={"name": f"team {unique}"}).json()
    ana = api.post("/api/v1/contacts/", json={"email": f"ana.{unique}@x.com", "first_name": "Ana",
                                              "lists": [team["id"]]}).json()
    api.post("/api/v1/contacts/", json={"email": f"bo.{unique}@x.com", "status": "unsubscribed"})
    page = ui.get("/contacts", params={"q": unique, "list": team["id"]})
    assert page.status_code == 200 and f"ana.{unique}@x.com" in page.text and f"bo.{unique}" not in page.text
    assert "db;dur=" in page.headers["server-timing"]
    page = ui.get("/contacts", params={"q": unique, "status": "unsubscribed", "list": ""})
    assert f"bo.{unique}@x.com" in page.text and f"ana.{unique}" not in page.text
    email = send_api(api, subject=f"hello {unique}", to=[f"ana.{unique}@x.com"])
    api.post(f"/api/v1/emails/{email['id']}/simulate/", json={"event": "unsubscribed"})
    detail = ui.get(f"/contacts/{ana['id']}")
    assert detail.status_code == 200
    assert f"hello {unique}" in detail.text and "status-unsubscribed" in detail.text
    assert api.get(f"/api/v1/contacts/{ana['id']}/").json()["status"] == "unsubscribed"  # events move status
    assert ui.get("/contacts/00000000-0000-4000-8000-000000000000").status_code == 404


def test_template_preview_renders_and_reports_problems_with_lines(ui):
    token = csrf_token(ui)
    good = ui.post("/ui/api/templates/preview", headers={"X-CSRF-Token": token}, json={
        "subject": "Hi {{ name }}", "html": "<p>{{ name }}</p>", "text": "Hi {{ name }}", "variables": {"name": "<Ana>"}})
    assert good.status_code == 200 and good.json()["ok"] and good.json()["subject"] == "Hi <Ana>"
    frame = ui.get(good.json()["html_url"])
    assert frame.text == "<p>&lt;Ana&gt;</p>"
    assert "script-src 'none'" in frame.headers["content-security-policy"]
    broken = ui.post("/ui/api/templates/preview", headers={"X-CSRF-Token": token}, json={
        "subject": "ok", "html": "<p>\n{% if %}</p>", "text": "{{ 1 +"})
    assert broken.status_code == 200 and not broken.json()["ok"]
    assert [e.split(":")[0] for e in broken.json()["errors"]] == ["html line 2", "text line 1"]
    missing = ui.post("/ui/api/templates/preview", headers={"X-CSRF-Token": token}, json={
        "subject": "ok", "text": "a\nb {{ plan }}"}).json()
    assert missing["errors"] == ["text line 2: The template uses `plan`, which was not given."]
    escape = ui.post("/ui/api/templates/preview", headers={"X-CSRF-Token": token}, json={
        "subject": "{{ ''.__class__.__mro__ }}", "text": "x"}).json()
    assert not escape["ok"] and "subject" in escape["errors"][0]
    assert ui.get("/ui/templates/preview/unknown-token").status_code == 404


@pytest.mark.parametrize("body, field", [
    ({"subject": 5}, "subject"),
    ({"variables": []}, "variables"),
    ({"html": "x" * (1024 * 1024 + 1)}, "html"),
    ({"surprise": True}, "surprise"),
])
def test_template_preview_bad_input_is_400(ui, body, field):
    response = ui.post("/ui/api/templates/preview", json=body, headers={"X-CSRF-Token": csrf_token(ui)})
    assert response.status_code == 400 and field in response.json()["errors"]


def test_templates_create_update_delete_from_the_ui(api, ui, unique):
    token = csrf_token(ui)
    bad = ui.post("/ui/api/templates", headers={"X-CSRF-Token": token},
                  json={"name": f"t {unique}", "subject": "s", "html": "{% for %}"})
    assert bad.status_code == 400 and bad.json()["errors"]["html"][0].startswith("Line 1")
    created = ui.post("/ui/api/templates", headers={"X-CSRF-Token": token},
                      json={"name": f"t {unique}", "subject": "Hi {{ n }}", "text": "{{ n }}"})
    assert created.status_code == 201
    template_id = created.json()["id"]
    assert f"t {unique}" in ui.get("/templates").text
    page = ui.get(f"/templates/{template_id}")
    assert page.status_code == 200 and "\"n\": \"N\"" in page.text  # sample variables pre-filled
    changed = ui.patch(f"/ui/api/templates/{template_id}", headers={"X-CSRF-Token": token},
                       json={"html": "<b>{{ n }}</b>"})
    assert changed.status_code == 200
    rendered = api.post(f"/api/v1/templates/{template_id}/render/", json={"variables": {"n": "1"}}).json()
    assert rendered["html"] == "<b>1</b>"
    assert ui.delete(f"/ui/api/templates/{template_id}", headers={"X-CSRF-Token": token}).status_code == 200
    assert api.get(f"/api/v1/templates/{template_id}/").status_code == 404
    assert ui.get(f"/templates/{template_id}").status_code == 404
