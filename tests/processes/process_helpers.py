"""What the two-process tests share: checked responses and waits with a deadline."""
from __future__ import annotations

import time
from typing import Any, Callable

import httpx

DEADLINE = 30.0  # seconds any cross-process wait may take before the test fails


def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, f"{response.request.method} {response.request.url}: {response.text}"
    return response.json() if response.content else None


def new_organization(admin: httpx.Client, name: str, plan: str = "unlimited") -> str:
    """A new organization's first key."""
    created = ok(admin.post("/api/v1/sandbox/organizations/", json={"name": name, "plan": plan}), 201)
    return created["api_key"]["key"]


def until(condition: Callable[[], Any], what: str) -> Any:
    """Ask `condition()` until it returns something truthy, failing after DEADLINE."""
    deadline = time.monotonic() + DEADLINE
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {DEADLINE} s: {what}")
        time.sleep(0.05)
