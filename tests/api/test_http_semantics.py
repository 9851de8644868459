"""HTTP-level promises of the API: 405 lists what is allowed, 401 carries a Bearer challenge,
and a streamed answer carries the rate-limit headers like any other (and logs nothing)."""
from __future__ import annotations

import pytest
from helpers import assert_problem

RATE_HEADERS = ["X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset", "RateLimit-Policy", "RateLimit"]


@pytest.mark.parametrize("method, path, allowed", [
    ("PUT", "/api/v1/emails/", {"GET", "DELETE"}),
    ("GET", "/api/v1/emails/send/", {"POST"}),
    ("POST", "/api/v1/accounts/organization/", {"GET", "PATCH"}),
    ("DELETE", "/api/v1/sandbox/reset", {"POST"}),
])
def test_a_405_names_the_methods_the_path_allows_in_an_allow_header(api, method, path, allowed):
    response = api.request(method, path)
    problem = assert_problem(response, 405)
    assert {m.strip() for m in response.headers["Allow"].split(",")} == allowed
    assert method in problem["detail"]


def test_a_missing_key_gets_a_plain_bearer_challenge(sandbox):
    with sandbox.client(api_key="") as anonymous:
        response = anonymous.get("/api/v1/emails/")
        assert_problem(response, 401)
        assert response.headers["WWW-Authenticate"] == "Bearer"
        wrong_scheme = anonymous.get("/api/v1/emails/", headers={"Authorization": "Basic dXNlcjpwdw=="})
        assert_problem(wrong_scheme, 401)
        assert wrong_scheme.headers["WWW-Authenticate"] == "Bearer"


def test_a_bad_key_gets_an_invalid_token_challenge(sandbox):
    with sandbox.client(api_key="gclap_test_not_a_real_key") as stranger:
        response = stranger.post("/api/v1/emails/send/", json={})
    assert_problem(response, 401)
    challenge = response.headers["WWW-Authenticate"]
    assert challenge.startswith('Bearer error="invalid_token"')
    assert 'error_description="Invalid API key."' in challenge


def test_a_revoked_key_gets_an_invalid_token_challenge_saying_so(api, sandbox):
    created = api.post("/api/v1/accounts/api-keys/", json={"name": "soon revoked"}).json()
    assert api.delete(f"/api/v1/accounts/api-keys/{created['id']}/").status_code == 204
    with sandbox.client(api_key=created["key"]) as revoked:
        response = revoked.get("/api/v1/emails/")
    assert_problem(response, 401)
    assert response.headers["WWW-Authenticate"] == \
        'Bearer error="invalid_token", error_description="This API key has been revoked."'


def test_authenticated_answers_carry_no_challenge(api):
    response = api.get("/api/v1/emails/", params={"page_size": 1})
    assert response.status_code == 200 and "WWW-Authenticate" not in response.headers


def test_the_contact_export_streams_with_the_rate_limit_headers_and_logs_nothing(launch, unique):
    sandbox = launch()
    with sandbox.client() as api:
        assert api.post("/api/v1/contacts/", json={"email": f"export-{unique}@example.com"}).status_code == 201
        with api.stream("GET", "/api/v1/contacts/export/") as response:
            body = response.read().decode()
    assert response.status_code == 200
    assert response.headers["Transfer-Encoding"] == "chunked"  # streamed, not buffered
    assert all(name in response.headers for name in RATE_HEADERS), dict(response.headers)
    assert f"export-{unique}@example.com" in body
    sandbox.stop()
    log = sandbox.log()
    assert "Traceback" not in log and "AttributeError" not in log and "ERROR" not in log, log
