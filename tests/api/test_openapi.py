"""The OpenAPI document and the served routes agree, both ways."""
from __future__ import annotations

import socket

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
    return not (path.startswith("/api/") or path == "/healthz")


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
