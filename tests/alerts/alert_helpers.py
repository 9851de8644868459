"""Helpers the alert tests share: configs, sending with outcomes, and reading what was announced."""
from __future__ import annotations

from typing import Any

import httpx
from lifecycle_helpers import MAGIC, send

ALERTS = "/api/v1/analytics/alert-configs/"


def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json() if response.content else None


def alert(api: httpx.Client, **fields: Any) -> dict[str, Any]:
    body = {"name": "Bounces", "metric": "bounce_rate", "condition": {"type": "above", "threshold": 0.05},
            "window": "1h", "channels": {"emails": ["oncall@shop.example"]}, **fields}
    return ok(api.post(ALERTS, json=body), 201)


def get(api: httpx.Client, config_id: str) -> dict[str, Any]:
    return ok(api.get(f"{ALERTS}{config_id}/"))


def history(api: httpx.Client, config_id: str) -> list[dict[str, Any]]:
    """Oldest first."""
    return list(reversed(ok(api.get(f"{ALERTS}{config_id}/history/", params={"page_size": 500}))["results"]))


def moves(api: httpx.Client, config_id: str) -> list[tuple[str, str]]:
    return [(row["from_state"], row["to_state"]) for row in history(api, config_id)]


PER_EMAIL = 50  # recipients per email when a test wants many quickly (the metrics count recipients)


def send_batch(api: httpx.Client, label: str, delivered: int, bounced: int = 0, per_email: int = 1,
               **fields: Any) -> None:
    """`delivered + bounced` recipients, `per_email` to an email; the magic addresses decide the outcome."""
    for outcome, count in (("delivered", delivered), ("bounced", bounced)):
        addresses = [f"{outcome}+{label}-{n}@{MAGIC}" for n in range(count)]
        for first in range(0, count, per_email):
            send(api, addresses[first:first + per_email], **fields)


def alert_emails(api: httpx.Client, to: str) -> list[dict[str, Any]]:
    """The alert emails captured for `to`, oldest first."""
    rows = ok(api.get("/api/v1/emails/", params={"to": to, "page_size": 500}))["results"]
    return sorted(rows, key=lambda row: row["created_at"])
