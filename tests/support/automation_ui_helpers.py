"""Shared steps for the Automation page tests: a welcome series built through the API, the
sandbox clock moved by the API, and the page's JSON call."""
from __future__ import annotations

from typing import Any

import httpx

WORKFLOWS = "/api/v1/automation/"
DAY = 86400


def make_template(api: httpx.Client, name: str) -> str:
    response = api.post("/api/v1/templates/", json={"name": name, "subject": f"{name} subject",
                                                   "html": "<p>Hi {{ contact.email }}</p>"})
    assert response.status_code == 201, response.text
    return response.json()["id"]


def make_workflow(api: httpx.Client, name: str, trigger: dict[str, Any], steps: list[dict[str, Any]],
                  status: str = "active") -> dict[str, Any]:
    response = api.post(WORKFLOWS, json={"name": name, "trigger": trigger, "steps": steps, "status": status})
    assert response.status_code == 201, response.text
    return response.json()


def welcome_series(api: httpx.Client, unique: str, status: str = "active") -> dict[str, Any]:
    """custom event -> send 'Welcome' -> wait 2 days -> if not opened send 'Reminder', else exit."""
    welcome = make_template(api, f"Welcome {unique}")
    reminder = make_template(api, f"Reminder {unique}")
    return make_workflow(api, f"Welcome series {unique}", {"type": "custom_event", "event": f"signed_up_{unique}"}, [
        {"type": "send_email", "template_id": welcome},
        {"type": "wait", "duration": "2d"},
        {"type": "condition", "email_step": 0, "email_event": "opened", "yes": "exit", "no": 3},
        {"type": "send_email", "template_id": reminder},
    ], status=status)


def sign_up(api: httpx.Client, unique: str, address: str) -> None:
    response = api.post(WORKFLOWS + "events/", json={"event": f"signed_up_{unique}", "email": address})
    assert response.status_code == 202, response.text
    assert [run["enrolled"] for run in response.json()["runs"]] == [True], response.text


def advance(api: httpx.Client, seconds: float) -> None:
    response = api.post("/api/v1/sandbox/clock/advance/", json={"seconds": seconds})
    assert response.status_code == 200, response.text


def workflow_status(api: httpx.Client, workflow_id: str) -> str:
    response = api.get(f"{WORKFLOWS}{workflow_id}/")
    assert response.status_code == 200, response.text
    return response.json()["status"]
