"""Helpers the report and breakdown tests share: API calls that must succeed, the sandbox's now."""
from __future__ import annotations

from datetime import datetime
from typing import Any

import httpx


def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json() if response.content else None


def sandbox_now(api: httpx.Client) -> datetime:
    return datetime.fromisoformat(ok(api.get("/api/v1/sandbox/clock/"))["now"].replace("Z", "+00:00"))


def campaign_to(api: httpx.Client, name: str, addresses: list[str]) -> dict[str, Any]:
    """A campaign sent (scheduled for now) to new contacts at these addresses."""
    ids = [ok(api.post("/api/v1/contacts/", json={"email": address}), 201)["id"] for address in addresses]
    created = ok(api.post("/api/v1/campaigns/", json={
        "name": name, "subject": name, "text": "Hello", "from_email": "news@shop.example",
        "audience": {"contact_ids": ids}}), 201)
    ok(api.post(f"/api/v1/campaigns/{created['id']}/send/", json={}))
    return created
