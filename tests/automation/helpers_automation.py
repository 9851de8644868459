"""Shared steps for the automation tests: templates, workflows, moving the clock, reading runs."""
from __future__ import annotations

from typing import Any

import httpx

BASE = "/api/v1/automation/"


def template(api: httpx.Client, subject: str, html: str = "<p>Hi {{ contact.email }}</p>") -> str:
    response = api.post("/api/v1/templates/", json={"name": subject, "subject": subject, "html": html})
    assert response.status_code == 201, response.text
    return response.json()["id"]


def workflow(api: httpx.Client, trigger: dict[str, Any], steps: list[dict[str, Any]], **extra: Any) -> dict:
    body = {"name": "wf", "trigger": trigger, "steps": steps, "status": "active", **extra}
    response = api.post(BASE, json=body)
    assert response.status_code == 201, response.text
    return response.json()


DAY = 86400


def advance(api: httpx.Client, seconds: float) -> None:
    response = api.post("/api/v1/sandbox/clock/advance/", json={"seconds": seconds})
    assert response.status_code == 200, response.text


def emails_to(api: httpx.Client, address: str) -> list[dict]:
    response = api.get("/api/v1/emails/", params={"to": address})
    assert response.status_code == 200, response.text
    return response.json()["results"]


def runs(api: httpx.Client, workflow_id: str) -> list[dict]:
    response = api.get(f"{BASE}{workflow_id}/runs/")
    assert response.status_code == 200, response.text
    return response.json()["results"]


def post_event(api: httpx.Client, event: str, email: str, **extra: Any) -> dict:
    response = api.post(BASE + "events/", json={"event": event, "email": email, **extra})
    assert response.status_code == 202, response.text
    return response.json()
