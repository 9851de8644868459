"""The OpenAPI 3.1 document, generated from the declared routes (api/routing.py)."""
from __future__ import annotations

import re
from typing import Any

from gclap_sandbox import __version__
from gclap_sandbox.api.responses import PROBLEM_SCHEMA
from gclap_sandbox.api.routing import ROUTES, RouteSpec
from gclap_sandbox.scopes import SCOPES

_PARAM = re.compile(r"<([a-zA-Z_][a-zA-Z0-9_]*)(?::([a-z]+))?>")
_PARAM_FORMATS = {"uuid": {"type": "string", "format": "uuid"}, "int": {"type": "integer"}}

_ERROR_DESCRIPTIONS = {
    400: "Invalid input; `errors` names each bad field.",
    401: "Missing, unknown, expired or revoked API key.",
    403: "The API key lacks the route's scope.",
    404: "Not found.",
    409: "Conflict.",
    429: "Rate limit or quota exceeded.",
}


def openapi_path(sanic_path: str) -> str:
    return _PARAM.sub(lambda m: "{" + m.group(1) + "}", sanic_path)


def build_document(server_url: str | None = None) -> dict[str, Any]:
    paths: dict[str, dict[str, Any]] = {}
    for spec in ROUTES:
        paths.setdefault(openapi_path(spec.path), {})[spec.method.lower()] = _operation(spec)
    doc: dict[str, Any] = {
        "openapi": "3.1.0",
        "info": {
            "title": "Gclap API (gclap-sandbox)",
            "version": __version__,
            "description": "The Gclap email API as implemented by gclap-sandbox, its local stand-in.",
        },
        "paths": paths,
        "components": {
            "schemas": {"Problem": PROBLEM_SCHEMA},
            "securitySchemes": {
                "bearerAuth": {
                    "type": "http", "scheme": "bearer",
                    "description": "An API key. Scopes: " + "; ".join(
                        f"`{name}`: {text}" for name, text in SCOPES.items()),
                }
            },
        },
        "security": [{"bearerAuth": []}],
        "x-scopes": SCOPES,
    }
    if server_url:
        doc["servers"] = [{"url": server_url}]
    return doc


def _operation(spec: RouteSpec) -> dict[str, Any]:
    op: dict[str, Any] = {
        "summary": spec.summary,
        "operationId": f"{spec.method.lower()}_{openapi_path(spec.path)}",
        "tags": [spec.tag],
        "responses": {},
    }
    if spec.description:
        op["description"] = spec.description
    if spec.authenticated:
        op["x-required-scope"] = spec.scope
        if spec.scope:
            op["description"] = (op.get("description", "") + f"\n\nRequires scope `{spec.scope}`.").strip()
    else:
        op["security"] = []
    params = [{"name": m.group(1), "in": "path", "required": True,
               "schema": _PARAM_FORMATS.get(m.group(2) or "", {"type": "string"})}
              for m in _PARAM.finditer(spec.path)]
    if spec.query is not None:
        for name, field in spec.query.fields.items():
            params.append({"name": name, "in": "query", "required": field.required,
                           "schema": field.json_schema()})
    if params:
        op["parameters"] = params
    if spec.body is not None:
        # A body whose fields are all optional may be omitted (see routing._body_or_empty).
        op["requestBody"] = {"required": any(f.required for f in spec.body.fields.values()),
                             "content": {spec.body_content_type: {"schema": spec.body.json_schema()}}}
    for status, response in spec.responses.items():
        op["responses"][str(status)] = _response(status, response)
    errors = [400] if (spec.body or spec.query) else []
    if spec.authenticated:
        errors += [401, 403, 429]
    for status in errors:
        op["responses"].setdefault(str(status), _response(status, {}))
    return op


def _response(status: int, response: dict[str, Any]) -> dict[str, Any]:
    if status >= 400:
        return {"description": response.get("description") or _ERROR_DESCRIPTIONS.get(status, "Error."),
                "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}}
    out: dict[str, Any] = {"description": response.get("description", "OK.")}
    if "schema" in response:
        out["content"] = {response.get("content_type", "application/json"): {"schema": response["schema"]}}
    elif "content_type" in response:
        out["content"] = {response["content_type"]: {"schema": {"type": "string", "format": "binary"}}}
    return out
