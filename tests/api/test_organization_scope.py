"""GET /api/v1/accounts/organization/ needs the `analytics:read` scope, like every route needs one."""
from __future__ import annotations

from helpers import assert_problem

ORG = "/api/v1/accounts/organization/"


def _key(api, scopes: list[str]) -> str:
    response = api.post("/api/v1/accounts/api-keys/", json={"name": "org reader", "scopes": scopes})
    assert response.status_code == 201, response.text
    return response.json()["key"]


def test_a_key_without_analytics_read_cannot_read_the_organization(api, sandbox):
    with sandbox.client(_key(api, ["emails:send"])) as sender:
        problem = assert_problem(sender.get(ORG), 403)
    assert problem["missing_scope"] == "analytics:read"


def test_a_key_with_analytics_read_reads_the_organization(api, sandbox):
    with sandbox.client(_key(api, ["analytics:read"])) as reader:
        response = reader.get(ORG)
    assert response.status_code == 200 and {"plan", "usage", "limits"} <= response.json().keys()


def test_the_openapi_document_states_the_scope(api):
    operation = api.get("/api/v1/openapi.json").json()["paths"][ORG]["get"]
    assert operation["x-required-scope"] == "analytics:read"
