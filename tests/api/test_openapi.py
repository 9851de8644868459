"""The OpenAPI document and the served routes agree, both ways."""
from __future__ import annotations

import re
import socket

import jsonschema_rs
import pytest

from gclap_sandbox.api.openapi import openapi_path
from gclap_sandbox.server.app import create_app, route_table
from gclap_sandbox.settings import Settings


@pytest.fixture(scope="module")
def served_routes() -> set[tuple[str, str]]:
    socks = [socket.socket() for _ in range(2)]
    for sock in socks:
        sock.bind(("127.0.0.1", 0))
    try:
        app = create_app(Settings(), *socks)
        return {(method.lower(), openapi_path(path).rstrip("/") or "/") for method, path in route_table(app)}
    finally:
        for sock in socks:
            sock.close()


@pytest.fixture(scope="module")
def documented(sandbox) -> dict:
    with sandbox.client() as api:
        return api.get("/api/v1/openapi.json").json()


def _ui_route(path: str) -> bool:
    return not (path.startswith("/api/") or path in ("/healthz", "/readyz", "/livez", "/metrics"))


def test_document_is_openapi_3_1(documented):
    assert documented["openapi"].startswith("3.1")
    assert documented["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"


def test_every_api_route_is_documented_and_nothing_else(served_routes, documented):
    in_doc = {(method, path.rstrip("/") or "/") for path, ops in documented["paths"].items() for method in ops}
    api_routes = {r for r in served_routes if not _ui_route(r[1])}
    assert api_routes - in_doc == set(), "served but not documented"
    assert in_doc - served_routes == set(), "documented but not served"


def test_each_operation_has_responses_and_schemas(documented):
    for path, ops in documented["paths"].items():
        for method, op in ops.items():
            assert op["summary"], (method, path)
            assert any(code[0] in "23" for code in op["responses"]), (method, path)
            if "requestBody" in op:
                schema = next(iter(op["requestBody"]["content"].values()))["schema"]
                assert schema.get("type") == "object" or "oneOf" in schema, (method, path)
            if op.get("security") != []:
                assert "401" in op["responses"], (method, path)


def test_send_schema_lists_the_seed_parameters(documented):
    schema = documented["paths"]["/api/v1/emails/send/"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert {"to", "subject", "html", "text", "from_email"} <= schema["properties"].keys()
    assert "to" in schema["required"]
    assert "required unless `template_id`" in schema["properties"]["subject"]["description"]


# (method, path, body, valid?) — cross-field rules each way round; the path's ids need not exist.
_NOWHERE = "00000000-0000-4000-8000-000000000000"
CROSS_FIELD_CASES = [
    ("POST", "/api/v1/emails/send/", {"to": "a@example.com"}, False),
    ("POST", "/api/v1/emails/send/", {"to": "a@example.com", "subject": "s"}, False),
    ("POST", "/api/v1/emails/send/", {"to": "a@example.com", "subject": "s", "text": "t"}, True),
    ("POST", "/api/v1/emails/send/", {"to": "a@example.com", "template_id": _NOWHERE}, True),
    ("POST", "/api/v1/emails/send/", {"to": "a@example.com", "subject": "s", "html": "h", "variables": {}}, False),
    ("POST", "/api/v1/emails/send/", {"to": "a@example.com", "subject": "a\nb", "text": "t"}, False),
    ("POST", "/api/v1/emails/send/", {"to": "a@example.com", "subject": "s", "text": "t",
                                      "headers": {"Reply-TO": "x@example.com"}}, False),
    ("POST", "/api/v1/emails/send/", {"to": "a@example.com", "subject": "s", "text": "t",
                                      "attachments": [{"filename": "a", "content": "aGk=="}]}, False),
    ("POST", "/api/v1/sandbox/clock/advance/", {}, False),
    ("POST", "/api/v1/sandbox/clock/advance/", {"seconds": 1, "to": "2999-01-01T00:00:00Z"}, False),
    ("POST", "/api/v1/sandbox/clock/advance/", {"seconds": 0}, True),
    ("POST", f"/api/v1/contacts/lists/{_NOWHERE}/members/", {"emails": []}, False),
    ("POST", f"/api/v1/contacts/lists/{_NOWHERE}/members/", {"emails": ["a@example.com"]}, True),
    ("PATCH", f"/api/v1/webhooks/endpoints/{_NOWHERE}/", {}, False),
    ("POST", f"/api/v1/emails/{_NOWHERE}/simulate/", {"event": "opened", "url": "https://x.test/"}, False),
    ("POST", f"/api/v1/emails/{_NOWHERE}/simulate/", {"event": "email.clicked", "url": "https://x.test/"}, True),
    ("POST", "/api/v1/contacts/segments/", {"name": "n", "rules": {}}, False),
    ("POST", "/api/v1/contacts/segments/", {"name": "n", "rules": {"field": "created_at", "op": "contains",
                                                                   "value": "x"}}, False),
    ("POST", "/api/v1/contacts/segments/", {"name": "n", "rules": {"all": [
        {"field": "attributes.plan", "op": "in", "value": ["pro", 3]}, {"op": "opened_within_days", "value": 30.0}]}},
     True),
    ("POST", "/api/v1/templates/", {"name": "n", "subject": "s"}, False),
    ("PUT", "/api/v1/sandbox/chaos/", {"http": [{"status": 418}]}, False),
    ("PUT", "/api/v1/sandbox/chaos/", {"smtp": [{"stage": "rcpt", "delay": 0}]}, False),
    ("PUT", "/api/v1/sandbox/chaos/", {}, True),
]


def _request_schema(document: dict, method: str, path: str) -> dict:
    matching = [p for p, ops in document["paths"].items() if method.lower() in ops
                and re.fullmatch(re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(p)), path)]
    template = min(matching, key=lambda p: p.count("{"))  # /contacts/segments/ before /contacts/{id}/
    body = document["paths"][template][method.lower()]["requestBody"]["content"]["application/json"]["schema"]
    return {**body, "components": document["components"]}  # so `#/components/...` references resolve


@pytest.mark.parametrize("method, path, body, valid", CROSS_FIELD_CASES)
def test_the_document_and_the_server_agree_on_cross_field_rules(own_sandbox, method, path, body, valid):
    with own_sandbox.client() as api:
        document = api.get("/api/v1/openapi.json").json()
        assert jsonschema_rs.validator_for(_request_schema(document, method, path)).is_valid(body) is valid
        answer = api.request(method, path, json=body)
    assert (answer.status_code == 400) is not valid, answer.text  # valid bodies may still meet a 404
    if not valid:
        assert answer.json()["errors"]


def test_state_dependent_refusals_name_the_field_with_their_own_status(own_sandbox):
    with own_sandbox.client() as api:
        past = api.post("/api/v1/sandbox/clock/advance/", json={"to": "2001-01-01T00:00:00Z"})
        assert past.status_code == 409 and past.json()["type"].endswith("/sandbox-time-conflict")
        assert "to" in past.json()["errors"]
        expired = api.post("/api/v1/accounts/api-keys/", json={"name": "x", "expires_at": "2001-01-01T00:00:00Z"})
        assert expired.status_code == 409 and "expires_at" in expired.json()["errors"]
        unknown = api.post("/api/v1/contacts/", json={"email": "ref@example.com", "lists": [_NOWHERE]})
        assert unknown.status_code == 404 and unknown.json()["type"].endswith("/unknown-reference")
        assert unknown.json()["errors"] == {"lists[0]": [f"No list with id {_NOWHERE}."]}
        assert api.get("/api/v1/contacts/", params={"search": "ref@example.com"}).json()["count"] == 0


def test_every_operation_declares_the_errors_its_guards_can_answer(documented):
    for path, ops in documented["paths"].items():
        for method, op in ops.items():
            codes = set(op["responses"])
            assert {"400", "413"} <= codes, (method, path)
            if op.get("security") != []:
                assert "401" in codes, (method, path)
                if op.get("x-required-scope"):
                    assert "403" in codes, (method, path)
            if "{" in path:
                assert "404" in codes, (method, path)
            if any(p["name"] == "Idempotency-Key" for p in op.get("parameters", [])):
                assert "409" in codes, (method, path)
