"""The /docs page: this sandbox's own API reference, generated from its OpenAPI document.

Every operation, grouped by resource, with its scope, parameters, body fields and their
rules, answers, and examples in curl, Python and JavaScript pre-filled with this sandbox's
URL (and, on loopback, its key). Each one can be tried from the page (web/static/docs.js).
The reference is built from the same document `/api/v1/openapi.json` serves, so the page
cannot drift from what the server does; the app factory hands it over (`ctx.api_document`), as
pages never import the API.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from sanic import Request
from sanic.response import HTTPResponse

from gclap_sandbox.settings import is_loopback
from gclap_sandbox.ui.base import NavItem, organization_of, page, render

KEY_PLACEHOLDER = "YOUR_API_KEY"
METHOD_ORDER = {"get": 0, "post": 1, "put": 2, "patch": 3, "delete": 4}
# Resource groups in the order a newcomer needs them; unknown tags go last, by name.
GROUPS: dict[str, str] = {
    "emails": "Emails", "simulation": "Simulating outcomes", "events": "Events",
    "webhooks": "Webhooks", "templates": "Templates", "contacts": "Contacts",
    "contact_lists": "Contact lists", "segments": "Segments", "contact_transfer": "Import and export",
    "suppressions": "Suppressions", "analytics": "Analytics", "accounts": "Keys and organization",
    "domains": "Sending domains", "email_authentication": "Email authentication", "deliverability": "Deliverability",
    "relay": "Relay", "tracking": "Tracking links", "sandbox_clock": "Sandbox clock", "sandbox_dns": "Sandbox DNS zone",
    "sandbox_reset": "Sandbox reset", "sandbox_chaos": "Fault injection", "health": "Health",
    "meta": "This document",
}
# Example values for fields the schema alone cannot fill sensibly.
EXAMPLES: dict[str, Any] = {
    "to": ["ana@example.com"], "from_email": "hello@example.com", "email": "ana@example.com",
    "subject": "Welcome aboard", "html": "<p>Hello from the sandbox.</p>", "text": "Hello from the sandbox.",
    "url": "https://example.com/webhooks/gclap", "name": "Example", "events": ["email.delivered"],
    "seconds": 3600, "outcome": "opened", "domain": "example.com",
    "records": [{"name": "example.com", "type": "TXT", "value": "v=spf1 include:spf.gclap.test ~all"}],
}


# Fields an example shows even when optional: what a reader expects to see in a send.
PROMINENT = ("from_email", "subject", "html")


@dataclass
class Field:
    name: str
    where: str  # path, query, header, body
    type: str
    required: bool
    description: str
    rules: list[str] = field(default_factory=list)


@dataclass
class Operation:
    anchor: str
    method: str
    path: str
    summary: str
    description: str
    scope: str | None
    authenticated: bool
    fields: list[Field]
    notes: list[str]  # rules across fields (one of, at least one of...)
    responses: list[tuple[str, str]]
    body_example: str | None
    examples: dict[str, str]  # language -> code
    destructive: bool


@dataclass
class Group:
    anchor: str
    title: str
    operations: list[Operation]


def reference(document: dict[str, Any], base_url: str, api_key: str | None) -> list[Group]:
    """The document's operations as the page shows them, grouped by resource."""
    key = api_key or KEY_PLACEHOLDER
    groups: dict[str, list[Operation]] = {}
    for path, methods in document.get("paths", {}).items():
        for method, op in methods.items():
            groups.setdefault(op.get("tags", ["other"])[0], []).append(_operation(method, path, op, base_url, key))
    order = list(GROUPS)
    ordered = sorted(groups, key=lambda tag: (order.index(tag) if tag in order else len(order), tag))
    return [Group(anchor=f"group-{tag}", title=GROUPS.get(tag, tag.replace("_", " ").capitalize()),
                  operations=sorted(groups[tag], key=lambda o: (o.path, METHOD_ORDER.get(o.method.lower(), 9))))
            for tag in ordered]


def _operation(method: str, path: str, op: dict[str, Any], base_url: str, key: str) -> Operation:
    authenticated = op.get("security") != []
    fields = [Field(p["name"], p["in"], _type(p.get("schema", {})), bool(p.get("required")),
                    p.get("description") or p.get("schema", {}).get("description", ""),
                    _rules(p.get("schema", {})))
              for p in op.get("parameters", [])]
    notes: list[str] = []
    body_schema, body_type = _body(op)
    body_example = None
    if body_schema is not None and body_type == "application/json":
        required = set(body_schema.get("required", []))
        for name, schema in body_schema.get("properties", {}).items():
            fields.append(Field(name, "body", _type(schema), name in required,
                                schema.get("description", ""), _rules(schema)))
        notes = _cross_field_rules(body_schema)
        body_example = json.dumps(_example_object(body_schema), indent=2, ensure_ascii=False)
    elif body_schema is not None:
        notes.append(f"The body is `{body_type}`.")
    description = op.get("description", "")
    description = re.sub(r"\n*Requires scope `[^`]+`\.\s*$", "", description).strip()
    url_path = path
    example_path = re.sub(r"\{[^}]+\}", _placeholder, url_path)
    return Operation(
        anchor=re.sub(r"[^a-z0-9]+", "-", f"{method}-{path}".lower()).strip("-"),
        method=method.upper(), path=path, summary=op.get("summary", ""), description=description,
        scope=op.get("x-required-scope"), authenticated=authenticated, fields=fields, notes=notes,
        responses=[(status, r.get("description", "")) for status, r in sorted(op.get("responses", {}).items())],
        body_example=body_example,
        examples=_examples(method.upper(), base_url + example_path, key if authenticated else None,
                           body_example),
        destructive=method.upper() == "DELETE" or path.endswith("/reset/"),
    )


def _placeholder(match: re.Match[str]) -> str:
    return "{" + match.group(0)[1:-1].upper() + "}"


def _body(op: dict[str, Any]) -> tuple[dict[str, Any] | None, str | None]:
    content = op.get("requestBody", {}).get("content", {})
    for content_type, media in content.items():
        return media.get("schema", {}), content_type
    return None, None


def _type(schema: dict[str, Any]) -> str:
    kind = schema.get("type", "")
    if isinstance(kind, list):
        kind = " or ".join(k for k in kind if k != "null") + (" or null" if "null" in kind else "")
    if kind == "array":
        return f"array of {_type(schema.get('items', {})) or 'values'}"
    fmt = schema.get("format")
    if "enum" in schema:
        return "one of " + ", ".join(str(v) for v in schema["enum"])
    if not kind and ("anyOf" in schema or "oneOf" in schema):
        return " or ".join(_type(s) for s in schema.get("anyOf", schema.get("oneOf", [])))
    return f"{kind} ({fmt})" if fmt else (kind or "any")


def _rules(schema: dict[str, Any]) -> list[str]:
    """Constraints worth a reader's attention, in words."""
    words = {"minLength": "at least {} characters", "maxLength": "at most {} characters",
             "minimum": "at least {}", "maximum": "at most {}", "minItems": "at least {} items",
             "maxItems": "at most {} items", "pattern": "matches `{}`", "default": "default `{}`"}
    rules = [text.format(json.dumps(schema[k]) if k == "default" else schema[k])
             for k, text in words.items() if k in schema]
    if schema.get("type") == "array":
        rules += [f"each: {rule}" for rule in _rules(schema.get("items", {}))]
    return rules


def _cross_field_rules(schema: dict[str, Any]) -> list[str]:
    notes = []
    for keyword, text in (("anyOf", "At least one of"), ("oneOf", "Exactly one of")):
        for option_set in ([schema[keyword]] if keyword in schema else []):
            choices = [" + ".join(f"`{n}`" for n in option.get("required", [])) for option in option_set]
            choices = [c for c in choices if c]
            if choices:
                notes.append(f"{text}: {', '.join(choices)}.")
    for name, needed in schema.get("dependentRequired", {}).items():
        notes.append(f"`{name}` requires {', '.join(f'`{n}`' for n in needed)}.")
    return notes


def _example_object(schema: dict[str, Any]) -> dict[str, Any]:
    """A small valid-looking body: the required fields, plus what the first `anyOf` choice needs."""
    properties = schema.get("properties", {})
    wanted = list(schema.get("required", []))
    for keyword in ("anyOf", "oneOf"):
        if schema.get(keyword):
            wanted += [n for n in schema[keyword][0].get("required", []) if n not in wanted]
    wanted += [n for n in PROMINENT if n in properties and n not in wanted]
    if not wanted:  # all optional: show the first few so the reader sees the shape
        wanted = list(properties)[:2]
    return {name: _example_value(name, properties.get(name, {})) for name in wanted}


def _example_value(name: str, schema: dict[str, Any]) -> Any:
    if "examples" in schema and schema["examples"]:
        return schema["examples"][0]
    if "default" in schema:
        return schema["default"]
    if "enum" in schema:
        return schema["enum"][0]
    if name in EXAMPLES:
        value = EXAMPLES[name]
        kind = schema.get("type")
        return value if kind != "string" or not isinstance(value, list) else value[0]
    kind = schema.get("type")
    kind = next((k for k in kind if k != "null"), "string") if isinstance(kind, list) else kind
    if kind == "object":
        return _example_object(schema) if schema.get("properties") else {}
    if kind == "array":
        return [_example_value(name, schema.get("items", {}))]
    if kind in ("integer", "number"):
        return schema.get("minimum", 1)
    if kind == "boolean":
        return True
    fmt = schema.get("format")
    return {"email": "ana@example.com", "uuid": "00000000-0000-0000-0000-000000000000",
            "date-time": "2026-01-01T00:00:00Z", "uri": "https://example.com/"}.get(fmt, "example")


def _examples(method: str, url: str, key: str | None, body: str | None) -> dict[str, str]:
    curl = [f"curl -X {method} '{url}'"]
    if key:
        curl.append(f"  -H 'Authorization: Bearer {key}'")
    if body is not None:
        compact = json.dumps(json.loads(body), ensure_ascii=False)
        curl.append("  -H 'Content-Type: application/json'")
        curl.append("  -d '" + compact.replace("'", "'\\''") + "'")
    python = ["import requests", ""]
    call = f"response = requests.{method.lower()}(\n    {url!r},"
    if key:
        call += f"\n    headers={{'Authorization': 'Bearer {key}'}},"
    if body is not None:
        call += "\n    json=" + _python_literal(json.loads(body)) + ","
    python += [call + "\n)", "print(response.status_code, response.text)"]
    options = [f"method: '{method}'"]
    headers = []
    if key:
        headers.append(f"Authorization: 'Bearer {key}'")
    if body is not None:
        headers.append("'Content-Type': 'application/json'")
    if headers:
        options.append("headers: { " + ", ".join(headers) + " }")
    if body is not None:
        options.append("body: JSON.stringify(" + json.dumps(json.loads(body), ensure_ascii=False) + ")")
    javascript = (f"const response = await fetch('{url}', {{\n  " + ",\n  ".join(options) + ",\n});\n"
                  "console.log(response.status, await response.text());")
    return {"curl": " \\\n".join(curl), "Python": "\n".join(python), "JavaScript": javascript}


def _python_literal(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text.replace("true", "True").replace("false", "False").replace("null", "None")


def overview(base_url: str, api_key: str | None, smtp_host: str, smtp_port: int) -> dict[str, Any]:
    """The page's opening: where this sandbox answers, how to authenticate, SMTP."""
    host = "localhost" if smtp_host in ("127.0.0.1", "0.0.0.0", "::1", "::") else smtp_host
    return {
        "base_url": base_url,
        "api_key": api_key,
        "auth_header": f"Authorization: Bearer {api_key or KEY_PLACEHOLDER}",
        "smtp_example": (
            "import smtplib\nfrom email.message import EmailMessage\n\n"
            "msg = EmailMessage()\nmsg['From'] = 'hello@example.com'\nmsg['To'] = 'ana@example.com'\n"
            "msg['Subject'] = 'Welcome aboard'\nmsg.set_content('Hello from the sandbox.')\n\n"
            f"with smtplib.SMTP('{host}', {smtp_port}) as smtp:\n    smtp.send_message(msg)"),
    }


NAV = NavItem("Docs", "/docs", 90)


@page("/docs", name="docs")
async def docs_view(request: Request) -> HTTPResponse:
    ctx = request.app.ctx.sandbox
    # The examples carry the start key only where it is this page's organization's, on loopback;
    # another organization's secret was shown once, so its examples name a placeholder.
    own = organization_of(request) == ctx.default_org_id
    key = ctx.default_api_key if own and is_loopback(ctx.settings.http_host) else None
    document = ctx.api_document()
    return render(request, "docs.html", groups=reference(document, ctx.http_url, key),
                  scopes=document.get("x-scopes", {}), webhooks=document.get("webhooks", {}),
                  **overview(ctx.http_url, key, ctx.settings.smtp_host, ctx.smtp_port))
