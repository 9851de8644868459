"""Helpers for the delivery lifecycle tests: send, advance the clock, read events."""
from __future__ import annotations

from typing import Any

import httpx

MAGIC = "simulator.gclap.test"


def send(api: httpx.Client, to: str | list[str], **fields: Any) -> dict[str, Any]:
    body = {"to": to, "subject": fields.pop("subject", "Lifecycle test"), "from_email": "app@shop.example",
            "text": "Hello", **fields}
    response = api.post("/api/v1/emails/send/", json=body)
    assert response.status_code == 202, response.text
    return response.json()


def advance(api: httpx.Client, **body: Any) -> dict[str, Any]:
    response = api.post("/api/v1/sandbox/clock/advance/", json=body)
    assert response.status_code == 200, response.text
    return response.json()


def events_of(api: httpx.Client, email_id: str) -> list[dict[str, Any]]:
    response = api.get(f"/api/v1/emails/{email_id}/events/", params={"page_size": 500})
    assert response.status_code == 200, response.text
    return response.json()["results"]


def timeline(api: httpx.Client, email_id: str) -> list[tuple[str, str | None]]:
    return [(e["type"], e["recipient"]) for e in events_of(api, email_id)]


def statuses(api: httpx.Client, email_id: str) -> tuple[str, dict[str, str]]:
    email = api.get(f"/api/v1/emails/{email_id}/").json()
    return email["status"], {r["email"]: r["status"] for r in email["recipients"]}


def assert_problem(response: httpx.Response, status: int, *fields: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    for field in fields:
        assert field in problem.get("errors", {}), problem
    return problem
