"""Every API route needs a key; a fixed key can be given for CI."""
from __future__ import annotations

import httpx
from helpers import assert_problem


def test_missing_and_malformed_and_wrong_keys_get_401(sandbox):
    url = f"{sandbox.http_url}/api/v1/emails/"
    assert_problem(httpx.get(url), 401)
    assert_problem(httpx.get(url, headers={"Authorization": sandbox.api_key}), 401)
    assert_problem(httpx.get(url, headers={"Authorization": "Basic abc"}), 401)
    problem = assert_problem(httpx.get(url, headers={"Authorization": "Bearer gclap_test_wrong"}), 401)
    assert "Invalid API key" in problem["detail"]
    send = httpx.post(f"{sandbox.http_url}/api/v1/emails/send/",
                      json={"to": "a@example.com", "subject": "s", "text": "t"})
    assert_problem(send, 401)


def test_printed_key_has_a_recognisable_prefix(sandbox):
    assert sandbox.api_key.startswith("gclap_test_") and len(sandbox.api_key) > 30


def test_fixed_key_from_flag_and_from_environment(launch):
    flagged = launch("--api-key", "gclap_test_ci_fixed_key_1")
    assert flagged.api_key == "gclap_test_ci_fixed_key_1"
    with flagged.client() as api:
        assert api.get("/api/v1/emails/").status_code == 200
    from_env = launch(env={"GCLAP_SANDBOX_API_KEY": "gclap_test_from_env_2"})
    assert from_env.api_key == "gclap_test_from_env_2"
    with from_env.client() as api:
        assert api.get("/api/v1/emails/").status_code == 200


def test_public_routes_need_no_key(sandbox):
    assert httpx.get(f"{sandbox.http_url}/healthz").json()["status"] == "ok"
    assert httpx.get(f"{sandbox.http_url}/api/v1/openapi.json").status_code == 200
