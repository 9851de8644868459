"""API keys: creation shown once, listing without secrets, scopes, revoke, rotate, expiry."""
from __future__ import annotations

import re
import uuid
from datetime import datetime, timedelta, timezone

import pytest
from lifecycle_helpers import advance

from gclap_sandbox.accounts.scopes import SCOPES

KEYS = "/api/v1/accounts/api-keys/"


def sandbox_now(api) -> datetime:
    return datetime.fromisoformat(api.get("/api/v1/sandbox/clock/").json()["now"].replace("Z", "+00:00"))


def create_key(api, **body):
    body.setdefault("name", "test key")
    response = api.post(KEYS, json=body)
    assert response.status_code == 201, response.text
    return response.json()


def test_a_new_key_is_shown_once_and_only_its_prefix_and_last4_afterwards(api, sandbox):
    created = create_key(api, name="billing service", scopes=["emails:send"])
    secret = created["key"]
    assert re.fullmatch(r"gclap_test_[A-Za-z0-9]{40}", secret)
    assert created["prefix"] == secret[:15] and created["last4"] == secret[-4:]
    assert created["scopes"] == ["emails:send"] and created["all_scopes"] is False
    assert created["revoked"] is False and created["expires_at"] is None

    listed = api.get(KEYS, params={"page_size": 500}).json()
    row = next(k for k in listed["results"] if k["id"] == created["id"])
    assert "key" not in row and secret not in api.get(KEYS, params={"page_size": 500}).text
    one = api.get(f"{KEYS}{created['id']}/").json()
    assert "key" not in one and one["name"] == "billing service"


def test_scopes_default_to_all(api):
    created = create_key(api)
    assert created["all_scopes"] is True and created["scopes"] == list(SCOPES)


def test_last_used_at_is_recorded(api, sandbox):
    created = create_key(api, scopes=["emails:read"])
    with sandbox.client(created["key"]) as client:
        assert client.get("/api/v1/emails/").status_code == 200
    assert api.get(f"{KEYS}{created['id']}/").json()["last_used_at"] is not None


def test_the_new_key_authenticates_with_its_scopes(api, sandbox):
    created = create_key(api, scopes=["emails:read"])
    with sandbox.client(created["key"]) as client:
        assert client.get("/api/v1/emails/").status_code == 200
        denied = client.post("/api/v1/emails/send/", json={"to": "a@example.com", "subject": "s", "text": "t"})
    assert denied.status_code == 403
    assert denied.headers["content-type"] == "application/problem+json"
    assert denied.json()["missing_scope"] == "emails:send" and "emails:send" in denied.json()["detail"]


def test_the_scope_catalogue_is_listed_by_the_api_and_the_openapi_document(api):
    body = api.get("/api/v1/accounts/scopes/").json()
    assert body["count"] == len(SCOPES)
    assert {s["name"]: s["description"] for s in body["results"]} == SCOPES
    assert api.get("/api/v1/openapi.json").json()["x-scopes"] == SCOPES


@pytest.mark.parametrize("body, field", [
    ({}, "name"),
    ({"name": ""}, "name"),
    ({"name": "x", "scopes": ["emails:send", "emails:sned"]}, "scopes[1]"),
    ({"name": "x", "scopes": "emails:send"}, "scopes"),
    ({"name": "x", "expires_at": "tomorrow"}, "expires_at"),
    ({"name": "x", "colour": "red"}, "colour"),
])
def test_bad_key_requests_get_400_and_create_nothing(api, body, field):
    before = api.get(KEYS).json()["count"]
    response = api.post(KEYS, json=body)
    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert api.get(KEYS).json()["count"] == before


def test_an_expiry_already_past_on_the_sandbox_clock_is_a_409_and_creates_nothing(api):
    before = api.get(KEYS).json()["count"]
    response = api.post(KEYS, json={"name": "x", "expires_at": "2001-01-01T00:00:00Z"})
    assert response.status_code == 409 and response.json()["type"].endswith("/sandbox-time-conflict")
    assert "expires_at" in response.json()["errors"]
    assert api.get(KEYS).json()["count"] == before


def test_unknown_scopes_are_rejected_with_the_valid_ones_listed(api):
    response = api.post(KEYS, json={"name": "x", "scopes": ["everything"]})
    message = response.json()["errors"]["scopes[0]"][0]
    assert all(scope in message for scope in SCOPES)


def test_a_revoked_key_gets_401_saying_so(api, sandbox):
    created = create_key(api)
    with sandbox.client(created["key"]) as client:
        assert client.get("/api/v1/emails/").status_code == 200
        assert api.delete(f"{KEYS}{created['id']}/").status_code == 204
        response = client.get("/api/v1/emails/")
    assert response.status_code == 401
    assert response.json()["type"].endswith("/revoked-api-key") and "revoked" in response.json()["detail"]
    assert api.get(f"{KEYS}{created['id']}/").json()["revoked"] is True


def test_a_key_works_until_its_expiry_then_gets_401_saying_so(own_sandbox):
    with own_sandbox.client() as api:  # a sandbox of this module's own: the test moves its clock
        expires = sandbox_now(api) + timedelta(days=1)
        created = create_key(api, expires_at=expires.isoformat())
        with own_sandbox.client(created["key"]) as client:
            advance(api, to=(expires - timedelta(minutes=5)).isoformat())
            assert client.get("/api/v1/emails/").status_code == 200
            advance(api, seconds=10 * 60)
            response = client.get("/api/v1/emails/")
    assert response.status_code == 401
    assert response.json()["type"].endswith("/expired-api-key") and "expired" in response.json()["detail"]


def test_unknown_and_missing_keys_get_401(sandbox):
    with sandbox.client("gclap_test_" + "x" * 40) as client:
        assert client.get("/api/v1/emails/").json()["type"].endswith("/invalid-api-key")
    with sandbox.client("") as client:
        assert client.get("/api/v1/emails/").status_code == 401


def test_rotation_without_grace_stops_the_old_secret_at_once(api, sandbox):
    old = create_key(api, name="rotating", scopes=["emails:read", "emails:send"])
    rotated = api.post(f"{KEYS}{old['id']}/rotate/")
    assert rotated.status_code == 201
    new = rotated.json()
    assert new["key"] != old["key"] and new["rotated_from"] == old["id"]
    assert new["name"] == "rotating" and new["scopes"] == ["emails:read", "emails:send"]
    with sandbox.client(old["key"]) as client:
        assert client.get("/api/v1/emails/").status_code == 401
    with sandbox.client(new["key"]) as client:
        assert client.get("/api/v1/emails/").status_code == 200


def test_rotation_with_a_grace_period_keeps_the_old_secret_working_until_it_ends(api, sandbox):
    old = create_key(api)
    new = api.post(f"{KEYS}{old['id']}/rotate/", json={"grace_period_seconds": 3600}).json()
    for secret in (old["key"], new["key"]):
        with sandbox.client(secret) as client:
            assert client.get("/api/v1/emails/").status_code == 200
    ends = datetime.fromisoformat(new["previous_key_ends_at"].replace("Z", "+00:00"))
    assert timedelta(minutes=59) < ends - datetime.now(timezone.utc) <= timedelta(hours=1)
    assert api.get(f"{KEYS}{old['id']}/").json()["expires_at"] == new["previous_key_ends_at"]


def test_rotation_grace_ends_with_401_expired_while_the_new_key_keeps_working(own_sandbox):
    with own_sandbox.client() as api:
        old = create_key(api)
        new = api.post(f"{KEYS}{old['id']}/rotate/", json={"grace_period_seconds": 3600}).json()
        with own_sandbox.client(old["key"]) as old_client, own_sandbox.client(new["key"]) as new_client:
            advance(api, seconds=3600 - 5 * 60)
            assert old_client.get("/api/v1/emails/").status_code == 200
            advance(api, seconds=10 * 60)
            response = old_client.get("/api/v1/emails/")
            assert new_client.get("/api/v1/emails/").status_code == 200
    assert response.status_code == 401
    assert response.json()["type"].endswith("/expired-api-key")


@pytest.mark.parametrize("body", [{"grace_period_seconds": -1}, {"grace_period_seconds": "1h"},
                                  {"grace_period_seconds": 10**9}, {"grace": 5}])
def test_bad_rotation_requests_get_400_and_keep_the_key(api, sandbox, body):
    old = create_key(api)
    assert api.post(f"{KEYS}{old['id']}/rotate/", json=body).status_code == 400
    with sandbox.client(old["key"]) as client:
        assert client.get("/api/v1/emails/").status_code == 200


def test_unknown_keys_are_404(api):
    missing = uuid.uuid4()
    assert api.get(f"{KEYS}{missing}/").status_code == 404
    assert api.delete(f"{KEYS}{missing}/").status_code == 404
    assert api.post(f"{KEYS}{missing}/rotate/").status_code == 404


def test_a_revoked_key_cannot_be_rotated(api):
    old = create_key(api)
    api.delete(f"{KEYS}{old['id']}/")
    assert api.post(f"{KEYS}{old['id']}/rotate/").status_code == 404


# Authenticated routes any valid key may call: only the catalogue of scope names itself.
SCOPE_FREE = {("/api/v1/accounts/scopes/", "get")}


def test_every_route_refuses_a_key_lacking_its_scope(api, sandbox):
    """Walks the whole OpenAPI document, so no route can forget to declare its scope."""
    document = api.get("/api/v1/openapi.json").json()
    authenticated = {(path, method): op["x-required-scope"] for path, ops in document["paths"].items()
                     for method, op in ops.items() if "x-required-scope" in op}
    assert {route for route, scope in authenticated.items() if not scope} == SCOPE_FREE
    routes = [(path, method, scope) for (path, method), scope in authenticated.items() if scope]
    assert ("/api/v1/accounts/organization/", "get", "analytics:read") in routes
    assert len(routes) >= 8
    keys = {}
    for _, _, scope in routes:
        assert scope in SCOPES
        if scope not in keys:
            keys[scope] = create_key(api, name=f"all but {scope}",
                                     scopes=[s for s in SCOPES if s != scope])["key"]
    for path, method, scope in routes:
        url = re.sub(r"\{[^}]+\}", str(uuid.uuid4()), path)
        with sandbox.client(keys[scope]) as client:
            response = client.request(method.upper(), url, json={})
        assert response.status_code == 403, (method, path, response.text)
        assert response.json()["missing_scope"] == scope, (method, path)
