"""The OpenAPI 3.1 document, generated from the declared routes (api/routing.py)."""
from __future__ import annotations

import re
from typing import Any, Iterable

from gclap_sandbox import __version__
from gclap_sandbox.accounts import idempotency
from gclap_sandbox.accounts.scopes import SCOPES
from gclap_sandbox.api.responses import PROBLEM_SCHEMA
from gclap_sandbox.api.routing import RouteSpec
from gclap_sandbox.errors import PROBLEM_BASE
from gclap_sandbox.schema import NOT_BLANK
from gclap_sandbox.webhooks.payloads import payload_schemas

_PARAM = re.compile(r"<([a-zA-Z_][a-zA-Z0-9_]*)(?::([a-z]+))?>")
_PARAM_FORMATS = {"uuid": {"type": "string", "format": "uuid"}, "int": {"type": "integer"}}

_ERROR_DESCRIPTIONS = {
    400: "Invalid input; `errors` names each bad field.",
    401: "Missing, unknown, expired or revoked API key.",
    403: "The API key lacks the route's scope.",
    404: "Not found.",
    409: "Conflict.",
    413: "The request line and headers, or the body, exceed the size limit.",
    429: "Rate limit (`rate-limited`) or monthly email quota (`quota-exceeded`) exceeded; see Retry-After.",
}
_RATE_HEADERS = {
    "X-RateLimit-Limit": "Requests allowed per window for the organization's plan.",
    "X-RateLimit-Remaining": "Requests left in the current window.",
    "X-RateLimit-Reset": "When the window closes, in Unix seconds (sandbox clock).",
    "RateLimit-Policy": "IETF form of the policy: `\"per-minute\";q=LIMIT;w=60`.",
    "RateLimit": "IETF form of the state: `\"per-minute\";r=REMAINING;t=SECONDS_TO_RESET`.",
    "Retry-After": "Seconds to wait (429 only).",
}
_PROBLEM_TYPES = {
    "validation-error": "400: invalid fields, named in `errors`.",
    "invalid-idempotency-key": "400: a malformed Idempotency-Key header.",
    "missing-api-key": "401: no Authorization header.",
    "invalid-api-key": "401: an unknown key.",
    "expired-api-key": "401: the key's expires_at (or rotation grace period) has passed.",
    "revoked-api-key": "401: the key was revoked.",
    "missing-scope": "403: the key lacks the route's scope, named in `missing_scope`.",
    "idempotency-key-reused": "409: the Idempotency-Key was used with a different request.",
    "idempotency-key-in-progress": "409: a request with this Idempotency-Key is still running.",
    "unknown-reference": "404: an id in the request (a list, a segment...) names nothing; `errors` names "
                         "the field.",
    "sandbox-time-conflict": "409: a time that is valid in itself but not at the sandbox clock's current time "
                             "(in the past, or too far ahead); `errors` names the field.",
    "payload-too-large": "413: the request line and headers, or the body, are too large.",
    "rate-limited": "429: the organization's per-minute request limit is spent.",
    "quota-exceeded": "429: the organization's monthly email quota is spent; nothing was captured.",
}


def openapi_path(sanic_path: str) -> str:
    return _PARAM.sub(lambda m: "{" + m.group(1) + "}", sanic_path)


def build_document(specs: Iterable[RouteSpec], server_url: str | None = None) -> dict[str, Any]:
    specs = list(specs)
    paths: dict[str, dict[str, Any]] = {}
    for spec in specs:
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
            "schemas": {"Problem": PROBLEM_SCHEMA, **payload_schemas(), **_input_components(specs)},
            "headers": {name: {"description": text, "schema": {"type": "string"}}
                        for name, text in _RATE_HEADERS.items()},
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
        "x-problem-types": {PROBLEM_BASE + slug: text for slug, text in _PROBLEM_TYPES.items()},
    }
    doc["webhooks"] = _webhooks()
    if server_url:
        doc["servers"] = [{"url": server_url}]
    return doc


def _input_components(specs: list[RouteSpec]) -> dict[str, Any]:
    """Named schemas the request schemas refer to with `$ref` (recursive ones such as SegmentRule)."""
    found: dict[str, Any] = {}
    for spec in specs:
        for declared in (spec.body, spec.query):
            if declared is not None:
                found.update(declared.components())
    return found


def _webhooks() -> dict[str, Any]:
    """OpenAPI 3.1 `webhooks`: what the sandbox posts to subscribed endpoints, per event type."""
    out: dict[str, Any] = {}
    for name, schema in payload_schemas().items():
        type_ = schema["properties"]["type"]["const"]
        out[type_] = {"post": {
            "summary": f"`{type_}` delivery", "description": schema["description"] + " Signed per Standard "
            "Webhooks: headers webhook-id, webhook-timestamp, webhook-signature.",
            "requestBody": {"content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{name}"}}}},
            "responses": {"2XX": {"description": "Received; anything else is retried."}}}}
    return out


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
                           "schema": _query_schema(field.json_schema())})
    if spec.idempotent:
        params.append({"name": "Idempotency-Key", "in": "header", "required": False,
                       "schema": {"type": "string", "pattern": idempotency.KEY_PATTERN},
                       "description": "1-255 printable ASCII characters, no spaces (else 400 "
                                      "`invalid-idempotency-key`). Same key and body within 24 h replays the "
                                      "first response; a different body gets 409."})
    if params:
        op["parameters"] = params
    if spec.body is not None:
        op["requestBody"] = {"required": spec.body_required,
                             "content": {spec.body_content_type: {"schema": spec.body.json_schema()}}}
    elif spec.body_doc is not None:
        op["requestBody"] = {"required": True, "content": spec.body_doc}
    for status, response in spec.responses.items():
        op["responses"][str(status)] = _response(status, response)
    for status, description in _possible_errors(spec).items():
        op["responses"].setdefault(str(status), _response(status, {"description": description}))
    if spec.authenticated:  # every response after authentication carries the rate-limit headers
        for status, response in op["responses"].items():
            if status != "401":
                response["headers"] = {name: {"$ref": f"#/components/headers/{name}"} for name in _RATE_HEADERS
                                       if name != "Retry-After" or status == "429"}
    return op


def _query_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """A query parameter's schema: its field's, and for free text, not blank (routing.py answers
    400 naming a parameter given empty or blank)."""
    if schema.get("type") != "string" or "enum" in schema or "format" in schema:
        return schema  # blank is already outside what these allow
    schema = {**schema, "minLength": max(1, schema.get("minLength", 0))}
    if "pattern" in schema:
        return {**schema, "allOf": [*schema.get("allOf", []), {"pattern": NOT_BLANK}]}
    return {**schema, "pattern": NOT_BLANK}


def _possible_errors(spec: RouteSpec) -> dict[int, str]:
    """Every error status the route's guards (routing.py, idempotency.py, limits.py) and Sanic can answer."""
    # Any route refuses an unknown query parameter (and GET/DELETE a body), so 400 is always possible.
    errors = {400: _ERROR_DESCRIPTIONS[400] if (spec.body or spec.query or spec.body_doc)
              else "An unknown query parameter, or a body where the route takes none."}
    if spec.idempotent:
        errors[400] += " Also a malformed Idempotency-Key (`invalid-idempotency-key`)."
    if spec.authenticated:
        errors[401] = _ERROR_DESCRIPTIONS[401]
        if spec.scope:
            errors[403] = _ERROR_DESCRIPTIONS[403]
    if _PARAM.search(spec.path):
        errors[404] = "No such resource (or a malformed id)."
    if spec.idempotent:
        errors[409] = "The Idempotency-Key was used with a different request, or its first request is still running."
    errors[413] = _ERROR_DESCRIPTIONS[413]
    if spec.authenticated and spec.rate_limited:
        errors[429] = _ERROR_DESCRIPTIONS[429]
    return errors


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
