"""A full reset sent with an Idempotency-Key: the reset deletes the organization and the key the
idempotency record would belong to, and still answers 200 with the key to use from now on."""
from __future__ import annotations

from mailing import send_smtp


def test_a_full_reset_with_an_idempotency_key_answers_200_with_the_new_key(launch, unique):
    sandbox = launch()
    send_smtp(sandbox, f"idem-reset-{unique}@example.com", "Before")
    with sandbox.client() as api:
        response = api.post("/api/v1/sandbox/reset/", json={"all": True},
                            headers={"Idempotency-Key": f"reset-{unique}"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["scope"] == "all" and body["deleted"]["email"] == 1
    assert body["api_key"].startswith("gclap_test_") and body["api_key"] != sandbox.api_key
    assert "X-RateLimit-Remaining" in response.headers
    with sandbox.client(api_key=body["api_key"]) as api:
        assert api.get("/api/v1/emails/").json()["count"] == 0
    with sandbox.client() as old:
        assert old.get("/api/v1/emails/").status_code == 401  # the caller's old key went with the reset
    sandbox.stop()
    assert "Traceback" not in sandbox.log() and "IntegrityError" not in sandbox.log()


def test_retrying_a_full_reset_with_the_same_idempotency_key_resets_again(launch, unique):
    """With a fixed --api-key the caller's key survives the reset, so it can retry; there is no
    record to replay (it went with the organization), so the retry simply runs again."""
    sandbox = launch("--api-key", "gclap_test_fixed_for_idempotency")
    headers = {"Idempotency-Key": f"reset-{unique}"}
    with sandbox.client() as api:
        first = api.post("/api/v1/sandbox/reset/", json={"all": True}, headers=headers)
        send_smtp(sandbox, f"idem-retry-{unique}@example.com", "Between")
        again = api.post("/api/v1/sandbox/reset/", json={"all": True}, headers=headers)
        assert first.status_code == again.status_code == 200, again.text
        assert again.json()["api_key"] == "gclap_test_fixed_for_idempotency"
        assert again.json()["deleted"]["email"] == 1 and "Idempotent-Replayed" not in again.headers
        assert api.get("/api/v1/emails/").json()["count"] == 0


def test_a_data_reset_with_an_idempotency_key_is_remembered_like_any_post(launch, unique):
    sandbox = launch()
    headers = {"Idempotency-Key": f"data-reset-{unique}"}
    with sandbox.client() as api:
        first = api.post("/api/v1/sandbox/reset/", json={}, headers=headers)
        again = api.post("/api/v1/sandbox/reset/", json={}, headers=headers)
    assert first.status_code == again.status_code == 200
    assert again.headers["Idempotent-Replayed"] == "true" and again.json() == first.json()
