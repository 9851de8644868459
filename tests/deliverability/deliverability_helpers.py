"""Helpers the deliverability tests share: sending, moving the clock, reading the score."""
from __future__ import annotations

from typing import Any

import httpx

SCORE = "/api/v1/deliverability/score/"
HISTORY = "/api/v1/deliverability/score/history/"
PLACEMENT = "/api/v1/deliverability/placement-tests/"
MAGIC = "simulator.gclap.test"
DAY = 86400


def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json() if response.content else None


def send(api: httpx.Client, to: list[str], **fields: Any) -> dict[str, Any]:
    """Send through the API; a field given as None is left out."""
    body = {"to": to, "subject": "Our news", "text": "Hello", "from_email": "news@shop.example", **fields}
    body = {name: value for name, value in body.items() if value is not None}
    return ok(api.post("/api/v1/emails/send/", json=body), 202)


def advance(api: httpx.Client, seconds: float) -> None:
    ok(api.post("/api/v1/sandbox/clock/advance/", json={"seconds": seconds}))


def score(api: httpx.Client) -> dict[str, Any]:
    return ok(api.get(SCORE))


def factor(scored: dict[str, Any], name: str) -> dict[str, Any]:
    return next(f for f in scored["factors"] if f["name"] == name)


def domain_entry(scored: dict[str, Any], domain: str) -> dict[str, Any]:
    return next(d for d in scored["domains"] if d["domain"] == domain)


def delivered_people(count: int, tag: str = "p") -> list[str]:
    return [f"delivered+{tag}{i}@{MAGIC}" for i in range(count)]


def reset(api: httpx.Client) -> None:
    """Captured data goes; sending domains are configuration, kept by a reset, so they go too."""
    ok(api.post("/api/v1/sandbox/reset/", json={}))
    for domain in ok(api.get("/api/v1/domains/", params={"page_size": 500}))["results"]:
        ok(api.delete(f"/api/v1/domains/{domain['id']}/"), 204)
