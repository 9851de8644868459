"""Helpers for the webhook tests: subscribe, read the delivery log, verify with standardwebhooks."""
from __future__ import annotations

import json
from typing import Any

import httpx
from lifecycle_helpers import MAGIC, advance, send
from standardwebhooks.webhooks import Webhook, WebhookVerificationError
from webhook_receiver import Received

ENDPOINTS = "/api/v1/webhooks/endpoints/"
DELIVERIES = "/api/v1/webhooks/deliveries/"


def subscribe(api: httpx.Client, url: str, events: list[str], **fields: Any) -> dict[str, Any]:
    response = api.post(ENDPOINTS, json={"url": url, "events": events, **fields})
    assert response.status_code == 201, response.text
    return response.json()


def verified(secret: str, received: Received) -> dict[str, Any]:
    """The body, after the off-the-shelf Standard Webhooks library accepted the signature."""
    return Webhook(secret).verify(received.body, received.headers)


def signed_by(secret: str, received: Received) -> bool:
    try:
        Webhook(secret).verify(received.body, received.headers)
    except WebhookVerificationError:
        return False
    return True


def types_of(received: list[Received]) -> list[str]:
    return [json.loads(r.body)["type"] for r in received]


def deliveries(api: httpx.Client, **filters: Any) -> list[dict[str, Any]]:
    response = api.get(DELIVERIES, params={"page_size": 500, **filters})
    assert response.status_code == 200, response.text
    return response.json()["results"]


def delivery(api: httpx.Client, delivery_id: str) -> dict[str, Any]:
    response = api.get(f"{DELIVERIES}{delivery_id}/")
    assert response.status_code == 200, response.text
    return response.json()


def only_delivery(api: httpx.Client, endpoint: dict[str, Any]) -> dict[str, Any]:
    rows = deliveries(api, endpoint=endpoint["id"])
    assert len(rows) == 1, rows
    return delivery(api, rows[0]["id"])


def endpoint_of(api: httpx.Client, endpoint: dict[str, Any]) -> dict[str, Any]:
    response = api.get(f"{ENDPOINTS}{endpoint['id']}/")
    assert response.status_code == 200, response.text
    return response.json()


def replay(api: httpx.Client, endpoint: dict[str, Any], **body: Any) -> httpx.Response:
    return api.post(f"{ENDPOINTS}{endpoint['id']}/replay/", json=body)


def fail_daily(api: httpx.Client, days: int, label: str) -> None:
    """While the receiver is down: an email a day for `days` days of sandbox time, each one's
    delivery retried through its whole schedule, so the endpoint never sees a success."""
    for day in range(days):
        send(api, f"delivered+{label}-{day}@{MAGIC}")
        advance(api, seconds=86400)
