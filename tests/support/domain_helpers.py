"""Sending domains in tests: add one, publish its records in the sandbox's zone (all, or all but
some, or with some changed), and a dkimpy `dnsfunc` that reads that same zone."""
from __future__ import annotations

from typing import Any, Callable

import httpx

DOMAINS = "/api/v1/domains/"
ZONE = "/api/v1/sandbox/dns/"


def add_domain(api: httpx.Client, name: str) -> dict[str, Any]:
    response = api.post(DOMAINS, json={"domain": name})
    assert response.status_code == 201, response.text
    return response.json()


def record(domain: dict[str, Any], purpose: str) -> dict[str, Any]:
    return next(r for r in domain["records"] if r["purpose"] == purpose)


def publish(api: httpx.Client, domain: dict[str, Any], *, leave_out: tuple[str, ...] = (),
            change: dict[str, str] | None = None) -> list[dict[str, Any]]:
    """Put the domain's records in the sandbox zone as a person would copy them (`change` gives
    another value for a purpose; `leave_out` skips purposes). Answers the zone."""
    change = change or {}
    records = [{"name": r["name"], "type": r["type"], "value": change.get(r["purpose"], r["value"])}
               for r in domain["records"] if r["purpose"] not in leave_out]
    response = api.put(ZONE, json={"records": records})
    assert response.status_code == 200, response.text
    return response.json()["records"]


def verify(api: httpx.Client, domain: dict[str, Any]) -> dict[str, Any]:
    response = api.post(f"{DOMAINS}{domain['id']}/verify/")
    assert response.status_code == 200, response.text
    return response.json()


def verified_domain(api: httpx.Client, name: str) -> dict[str, Any]:
    domain = add_domain(api, name)
    publish(api, domain)
    checked = verify(api, domain)
    assert checked["status"] == "verified", checked
    return checked


def zone_dnsfunc(api: httpx.Client) -> Callable[..., bytes | None]:
    """dkimpy's `dnsfunc`, answering TXT lookups from the sandbox zone as it is now."""
    zone = api.get(ZONE).json()["records"]

    def lookup(name: bytes, timeout: float = 5) -> bytes | None:
        wanted = name.decode("ascii").lower().rstrip(".")
        values = [r["value"] for r in zone if r["name"] == wanted and r["type"] == "TXT"]
        return values[0].encode("ascii") if values else None

    return lookup


def delivered_source(api: httpx.Client, email_id: str) -> bytes:
    response = api.get(f"/api/v1/emails/{email_id}/raw/", params={"version": "delivered"})
    assert response.status_code == 200, response.text
    return response.content
