"""Plans, per-organization rate limits and their headers."""
from __future__ import annotations

import asyncio
import re

import httpx
from helpers import run_async

ORG = "/api/v1/accounts/organization/"
RATE_HEADERS = ("X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset", "RateLimit-Policy", "RateLimit")


def test_every_authenticated_response_carries_rate_limit_headers(api):
    responses = [
        api.get("/api/v1/emails/"),                                    # 200
        api.post("/api/v1/emails/send/", json={"subject": "no to"}),    # 400
        api.get("/api/v1/emails/00000000-0000-0000-0000-000000000000/"),  # 404
        api.post("/api/v1/accounts/api-keys/", content=b"{not json"),   # 400
    ]
    for response in responses:
        for header in RATE_HEADERS:
            assert header in response.headers, (response.status_code, header)
    assert re.fullmatch(r'"per-minute";q=\d+;w=60', responses[0].headers["RateLimit-Policy"])
    assert re.fullmatch(r'"per-minute";r=\d+;t=\d+', responses[0].headers["RateLimit"])


def test_the_default_organization_is_unlimited(api):
    org = api.get(ORG).json()
    assert org["plan"] == "unlimited"
    assert org["limits"] == {"name": "unlimited", "requests_per_minute": 1_000_000, "emails_per_month": None}
    assert org["usage"]["emails_remaining"] is None


def test_serve_plan_puts_the_default_organization_on_that_plan(launch):
    sandbox = launch("--plan", "pro")
    with sandbox.client() as api:
        response = api.get(ORG)
    assert response.json()["plan"] == "pro"
    assert response.json()["limits"] == {"name": "pro", "requests_per_minute": 1000, "emails_per_month": 50_000}
    assert response.headers["X-RateLimit-Limit"] == "1000"
    assert response.headers["X-RateLimit-Remaining"] == "999"


def test_concurrent_requests_are_counted_exactly_against_the_plan(launch):
    sandbox = launch("--plan", "free")

    async def fire(count: int) -> list[httpx.Response]:
        limits = httpx.Limits(max_connections=count)
        async with httpx.AsyncClient(base_url=sandbox.http_url, limits=limits, timeout=60,
                                     headers={"Authorization": f"Bearer {sandbox.api_key}"}) as client:
            return await asyncio.gather(*(client.get("/api/v1/emails/") for _ in range(count)))

    responses = run_async(fire(130))
    statuses = sorted(r.status_code for r in responses)
    assert statuses.count(200) == 100 and statuses.count(429) == 30
    refused = next(r for r in responses if r.status_code == 429)
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["type"].endswith("/rate-limited")
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert refused.headers["X-RateLimit-Remaining"] == "0"
    assert refused.headers["RateLimit"].startswith('"per-minute";r=0;')
    remaining = sorted(int(r.headers["X-RateLimit-Remaining"]) for r in responses if r.status_code == 200)
    assert remaining == list(range(100))  # each allowed request saw its own exact count


def test_the_limit_is_shared_by_every_key_of_the_organization(launch):
    sandbox = launch("--plan", "free")
    with sandbox.client() as api:
        second = api.post("/api/v1/accounts/api-keys/", json={"name": "second"}).json()["key"]
        for _ in range(49):
            api.get("/api/v1/emails/")
    with sandbox.client(second) as other:
        response = other.get("/api/v1/emails/")
    assert response.headers["X-RateLimit-Remaining"] == str(100 - 51)


def test_switching_plan_by_request_takes_effect_at_once(launch):
    sandbox = launch()
    with sandbox.client() as api:
        response = api.patch(ORG, json={"plan": "business", "name": "Acme"})
        assert response.status_code == 200
        assert response.json()["plan"] == "business" and response.json()["name"] == "Acme"
        assert api.get("/api/v1/emails/").headers["X-RateLimit-Limit"] == "5000"
        assert api.patch(ORG, json={"plan": "unlimited"}).json()["limits"]["requests_per_minute"] == 1_000_000


def test_bad_organization_changes_get_400_and_change_nothing(api):
    before = api.get(ORG).json()
    for body in ({"plan": "enterprise"}, {"name": ""}, {"plan": 3}, {"colour": "red"}):
        response = api.patch(ORG, json=body)
        assert response.status_code == 400, body
        assert response.headers["content-type"] == "application/problem+json"
    assert "free, pro, business, unlimited" in api.patch(ORG, json={"plan": "x"}).json()["errors"]["plan"][0]
    after = api.get(ORG).json()
    assert (after["plan"], after["name"]) == (before["plan"], before["name"])


def test_switching_plan_needs_the_api_keys_manage_scope(api, sandbox):
    reader = api.post("/api/v1/accounts/api-keys/", json={"name": "r", "scopes": ["analytics:read"]}).json()["key"]
    with sandbox.client(reader) as client:
        assert client.get(ORG).status_code == 200
        assert client.patch(ORG, json={"plan": "free"}).json()["missing_scope"] == "api_keys:manage"


def test_the_openapi_document_describes_limits_idempotency_and_problem_types(api):
    document = api.get("/api/v1/openapi.json").json()
    send = document["paths"]["/api/v1/emails/send/"]["post"]
    assert any(p["name"] == "Idempotency-Key" and p["in"] == "header" for p in send["parameters"])
    assert {"409", "429"} <= set(send["responses"])
    assert "Retry-After" in send["responses"]["429"]["headers"]
    assert "X-RateLimit-Remaining" in send["responses"]["202"]["headers"]
    types = document["x-problem-types"]
    assert any(t.endswith("/quota-exceeded") for t in types) and any(t.endswith("/rate-limited") for t in types)
    keys = document["paths"]["/api/v1/accounts/api-keys/"]
    assert keys["post"]["x-required-scope"] == "api_keys:manage"
    scopes = keys["post"]["requestBody"]["content"]["application/json"]["schema"]["properties"]["scopes"]
    assert scopes["items"]["enum"] == list(document["x-scopes"])
