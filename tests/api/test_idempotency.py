"""Idempotency-Key on creating POSTs: replay, 409 on a different body, 409 while in flight."""
from __future__ import annotations

import base64
import os
from concurrent.futures import ThreadPoolExecutor


def body_for(unique, **extra):
    return {"to": f"idem-{unique}@example.com", "subject": f"idem {unique}", "text": "hi", **extra}


def captured(api, unique):
    return api.get("/api/v1/emails/", params={"to": f"idem-{unique}@example.com"}).json()["count"]


def test_the_same_key_and_body_replay_the_first_response_and_capture_once(api, unique):
    headers = {"Idempotency-Key": f"order-{unique}"}
    first = api.post("/api/v1/emails/send/", json=body_for(unique), headers=headers)
    again = api.post("/api/v1/emails/send/", json=body_for(unique), headers=headers)
    assert first.status_code == again.status_code == 202
    assert again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true" and "Idempotent-Replayed" not in first.headers
    assert "X-RateLimit-Remaining" in again.headers
    assert captured(api, unique) == 1


def test_the_same_key_with_a_different_body_is_409(api, unique):
    headers = {"Idempotency-Key": f"order-{unique}"}
    api.post("/api/v1/emails/send/", json=body_for(unique), headers=headers)
    conflict = api.post("/api/v1/emails/send/", json=body_for(unique, text="changed"), headers=headers)
    assert conflict.status_code == 409
    assert conflict.json()["type"].endswith("/idempotency-key-reused")
    assert captured(api, unique) == 1


def test_key_order_in_the_json_body_does_not_matter(api, unique):
    headers = {"Idempotency-Key": f"order-{unique}"}
    body = body_for(unique)
    api.post("/api/v1/emails/send/", json=body, headers=headers)
    reordered = dict(reversed(list(body.items())))
    assert api.post("/api/v1/emails/send/", json=reordered, headers=headers).headers["Idempotent-Replayed"] == "true"


def test_without_a_key_every_post_captures(api, unique):
    api.post("/api/v1/emails/send/", json=body_for(unique))
    api.post("/api/v1/emails/send/", json=body_for(unique))
    assert captured(api, unique) == 2


def test_a_failed_request_is_not_remembered(api, unique):
    headers = {"Idempotency-Key": f"order-{unique}"}
    bad = api.post("/api/v1/emails/send/", json={"to": "nobody"}, headers=headers)
    assert bad.status_code == 400
    assert api.post("/api/v1/emails/send/", json=body_for(unique), headers=headers).status_code == 202


def test_a_concurrent_duplicate_gets_409_and_only_one_email_is_captured(api, sandbox, unique):
    attachment = base64.b64encode(os.urandom(2_000_000)).decode()
    body = body_for(unique, attachments=[{"filename": "big.bin", "content": attachment}])
    headers = {"Idempotency-Key": f"race-{unique}"}

    def post(_):
        with sandbox.client() as client:
            return client.post("/api/v1/emails/send/", json=body, headers=headers)

    with ThreadPoolExecutor(max_workers=12) as pool:
        responses = list(pool.map(post, range(12)))
    statuses = [r.status_code for r in responses]
    assert set(statuses) <= {202, 409} and 409 in statuses
    for response in responses:
        if response.status_code == 409:
            assert response.json()["type"].endswith("/idempotency-key-in-progress")
    assert captured(api, unique) == 1


def test_creating_an_api_key_is_idempotent_too(api, unique):
    headers = {"Idempotency-Key": f"key-{unique}"}
    first = api.post("/api/v1/accounts/api-keys/", json={"name": f"k-{unique}"}, headers=headers)
    again = api.post("/api/v1/accounts/api-keys/", json={"name": f"k-{unique}"}, headers=headers)
    assert first.status_code == again.status_code == 201 and again.json()["id"] == first.json()["id"]
    names = [k["name"] for k in api.get("/api/v1/accounts/api-keys/", params={"page_size": 500}).json()["results"]]
    assert names.count(f"k-{unique}") == 1


def test_the_same_key_on_another_route_is_409(api, unique):
    headers = {"Idempotency-Key": f"shared-{unique}"}
    api.post("/api/v1/emails/send/", json=body_for(unique), headers=headers)
    other = api.post("/api/v1/accounts/api-keys/", json={"name": "x"}, headers=headers)
    assert other.status_code == 409


def test_a_malformed_key_is_400_and_captures_nothing(api, unique):
    for bad in ("", "has space", "x" * 256):
        response = api.post("/api/v1/emails/send/", json=body_for(unique), headers={"Idempotency-Key": bad})
        assert response.status_code == 400
        assert response.json()["type"].endswith("/invalid-idempotency-key")
    assert captured(api, unique) == 0
