"""What the two-process tests share: checked responses and waits with a deadline."""
from __future__ import annotations

from typing import Any, Callable

import httpx
from helpers import ok, wait_until

DEADLINE = 30.0  # seconds any cross-process wait may take before the test fails


def new_organization(admin: httpx.Client, name: str, plan: str = "unlimited") -> str:
    """A new organization's first key."""
    created = ok(admin.post("/api/v1/sandbox/organizations/", json={"name": name, "plan": plan}), 201)
    return created["api_key"]["key"]


def until(condition: Callable[[], Any], what: str) -> Any:
    """Ask `condition()` until it returns something truthy, failing after DEADLINE."""
    return wait_until(condition, what, within=DEADLINE)
