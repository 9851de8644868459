"""Helpers the campaign tests share: contacts, a list, a template, a campaign, through the API."""
from __future__ import annotations

from typing import Any

import httpx

CAMPAIGNS = "/api/v1/campaigns/"


def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json() if response.content else None


def contact(api: httpx.Client, email: str, **fields: Any) -> dict[str, Any]:
    return ok(api.post("/api/v1/contacts/", json={"email": email, **fields}), 201)


def contact_list(api: httpx.Client, name: str, contacts: list[dict[str, Any]]) -> dict[str, Any]:
    created = ok(api.post("/api/v1/contacts/lists/", json={"name": name}), 201)
    if contacts:
        ok(api.post(f"/api/v1/contacts/lists/{created['id']}/members/",
                    json={"contact_ids": [c["id"] for c in contacts]}))
    return created


def template(api: httpx.Client, **fields: Any) -> dict[str, Any]:
    return ok(api.post("/api/v1/templates/", json={"name": "Spring sale", **fields}), 201)


def campaign(api: httpx.Client, **fields: Any) -> dict[str, Any]:
    return ok(api.post(CAMPAIGNS, json={"name": "Spring sale", **fields}), 201)


def get(api: httpx.Client, campaign_id: str) -> dict[str, Any]:
    return ok(api.get(f"{CAMPAIGNS}{campaign_id}/"))


def send(api: httpx.Client, campaign_id: str, **body: Any) -> dict[str, Any]:
    return ok(api.post(f"{CAMPAIGNS}{campaign_id}/send/", json=body))


def emails_of(api: httpx.Client, campaign_id: str) -> list[dict[str, Any]]:
    return ok(api.get("/api/v1/emails/", params={"campaign": campaign_id, "page_size": 500}))["results"]
