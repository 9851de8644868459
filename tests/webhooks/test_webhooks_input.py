"""Every webhooks route refuses bad input with a problem document, and stores nothing."""
from __future__ import annotations

import pytest
from lifecycle_helpers import assert_problem
from webhook_helpers import DELIVERIES, ENDPOINTS, subscribe

MISSING = "00000000-0000-4000-8000-0000000000f4"  # fixed: xdist workers must collect identical test ids


def _count(api) -> int:
    return api.get(ENDPOINTS).json()["count"]


@pytest.mark.parametrize("body, field", [
    ({"events": ["email.sent"]}, "url"),
    ({"url": "http://127.0.0.1:9/x"}, "events"),
    ({"url": "ftp://example.com/x", "events": ["email.sent"]}, "url"),
    ({"url": "not a url", "events": ["email.sent"]}, "url"),
    ({"url": "http://", "events": ["email.sent"]}, "url"),
    ({"url": 5, "events": ["email.sent"]}, "url"),
    ({"url": "http://localhost:9/x", "events": []}, "events"),
    ({"url": "http://localhost:9/x", "events": "email.sent"}, "events"),
    ({"url": "http://localhost:9/x", "events": ["email.sent", 3]}, "events[1]"),
    ({"url": "http://localhost:9/x", "events": ["email.sent"], "description": "x" * 501}, "description"),
    ({"url": "http://localhost:9/x", "events": ["email.sent"], "secret": "mine"}, "secret"),
])
def test_create_rejects_bad_fields(api, body, field):
    before = _count(api)
    assert_problem(api.post(ENDPOINTS, json=body), 400, field)
    assert _count(api) == before


def test_unknown_event_types_are_refused_listing_the_valid_ones(api):
    problem = assert_problem(api.post(ENDPOINTS, json={"url": "http://localhost:9/x", "events": ["email.sen"]}),
                             400, "events[0]")
    message = problem["errors"]["events[0]"][0]
    for valid in ("email.sent", "email.delivered", "email.opened", "email.clicked", "email.bounced",
                  "email.unsubscribed", "email.spam", "campaign.completed", "*"):
        assert valid in message


def test_create_needs_a_json_object(api):
    assert_problem(api.post(ENDPOINTS, content=b"{nope", headers={"content-type": "application/json"}), 400)
    assert_problem(api.post(ENDPOINTS, json=["http://localhost"]), 400)


def test_localhost_and_https_urls_are_fine(api):
    for url in ("http://localhost:3000/hooks", "https://hooks.example.com/gclap"):
        assert subscribe(api, url, ["campaign.completed"])["url"] == url


@pytest.mark.parametrize("body, field", [
    ({}, "body"),
    ({"url": "mailto:a@b.c"}, "url"),
    ({"events": ["nope"]}, "events[0]"),
    ({"active": "yes"}, "active"),
    ({"secret": "x"}, "secret"),
])
def test_update_rejects_bad_fields_and_changes_nothing(api, body, field):
    endpoint = subscribe(api, "http://localhost:9/update", ["email.sent"])
    assert_problem(api.patch(f"{ENDPOINTS}{endpoint['id']}/", json=body), 400, field)
    after = api.get(f"{ENDPOINTS}{endpoint['id']}/").json()
    assert (after["url"], after["events"], after["active"]) == (endpoint["url"], ["email.sent"], True)


def test_rotate_rejects_a_bad_grace_period(api):
    endpoint = subscribe(api, "http://localhost:9/rotate", ["email.sent"])
    for grace in (-1, "soon", 8 * 86400):
        assert_problem(api.post(f"{ENDPOINTS}{endpoint['id']}/rotate-secret/",
                                json={"grace_period_seconds": grace}), 400, "grace_period_seconds")
    assert api.get(f"{ENDPOINTS}{endpoint['id']}/").json()["secret"] == endpoint["secret"]


@pytest.mark.parametrize("params, field", [
    ({"status": "lost"}, "status"), ({"endpoint": "abc"}, "endpoint"), ({"email": "abc"}, "email"),
    ({"page": 0}, "page"), ({"page_size": 501}, "page_size"), ({"colour": "red"}, "colour"),
])
def test_delivery_log_rejects_bad_filters(api, params, field):
    assert_problem(api.get(DELIVERIES, params=params), 400, field)


def test_endpoints_list_rejects_bad_paging(api):
    assert_problem(api.get(ENDPOINTS, params={"page": "x"}), 400, "page")


@pytest.mark.parametrize("method, path", [
    ("GET", f"{ENDPOINTS}{MISSING}/"), ("PATCH", f"{ENDPOINTS}{MISSING}/"), ("DELETE", f"{ENDPOINTS}{MISSING}/"),
    ("POST", f"{ENDPOINTS}{MISSING}/rotate-secret/"), ("POST", f"{ENDPOINTS}{MISSING}/test/"),
    ("GET", f"{DELIVERIES}{MISSING}/"), ("POST", f"{DELIVERIES}{MISSING}/redeliver/"),
    ("GET", f"{ENDPOINTS}not-a-uuid/"), ("GET", f"{DELIVERIES}not-a-uuid/"),
])
def test_unknown_ids_are_404(api, method, path):
    body = {"description": "x"} if method == "PATCH" else None
    assert_problem(api.request(method, path, json=body), 404)


def test_webhook_scopes_are_enforced(api, sandbox):
    key = api.post("/api/v1/accounts/api-keys/", json={"name": "hooks reader", "scopes": ["webhooks:read"]}).json()
    with sandbox.client(api_key=key["key"]) as reader:
        assert reader.get(ENDPOINTS).status_code == 200
        assert reader.get(DELIVERIES).status_code == 200
        denied = reader.post(ENDPOINTS, json={"url": "http://localhost:9/x", "events": ["*"]})
        assert_problem(denied, 403)
        assert denied.json()["missing_scope"] == "webhooks:write"
