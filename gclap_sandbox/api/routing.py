"""Route declarations: each API route states its scope, inputs and outputs in one place.

`endpoint(bp, method, path, ...)` registers the handler with Sanic, wraps it with
authentication, the scope check and input validation, and records a `RouteSpec` that the
OpenAPI document is built from. A route cannot exist without a declared scope and schema.
"""
from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable

from sanic import Blueprint, Request
from sanic.response import HTTPResponse

from gclap_sandbox import auth
from gclap_sandbox.errors import BadRequest, Forbidden
from gclap_sandbox.schema import Obj

API_PREFIX = "/api/v1"


@dataclass
class RouteSpec:
    method: str
    path: str  # Sanic syntax, with the /api/v1 prefix
    scope: str | None
    summary: str
    tag: str
    body: Obj | None = None
    query: Obj | None = None
    responses: dict[int, dict[str, Any]] = field(default_factory=dict)
    authenticated: bool = True
    description: str = ""
    body_content_type: str = "application/json"


ROUTES: list[RouteSpec] = []
Handler = Callable[..., Awaitable[HTTPResponse]]


def endpoint(bp: Blueprint, method: str, path: str, *, scope: str | None, summary: str,
             body: Obj | None = None, query: Obj | None = None,
             responses: dict[int, dict[str, Any]] | None = None, authenticated: bool = True,
             description: str = "", body_content_type: str = "application/json",
             prefix: str = API_PREFIX) -> Callable[[Handler], Handler]:
    """Declare an API route. `responses` maps status -> {"description", "schema"?, "content_type"?}."""
    spec = RouteSpec(method=method.upper(), path=prefix + path, scope=scope, summary=summary,
                     tag=bp.name, body=body, query=query, responses=responses or {},
                     authenticated=authenticated, description=description,
                     body_content_type=body_content_type)
    ROUTES.append(spec)

    def decorate(handler: Handler) -> Handler:
        @functools.wraps(handler)
        async def wrapper(request: Request, *args: Any, **kwargs: Any) -> HTTPResponse:
            if spec.authenticated:
                principal = await authenticate(request)
                if not principal.allows(spec.scope):
                    raise Forbidden(f"This API key lacks the `{spec.scope}` scope.",
                                    slug="missing-scope", missing_scope=spec.scope)
                request.ctx.principal = principal
            if spec.query is not None:
                request.ctx.query = spec.query.validate(
                    {k: v[-1] for k, v in request.args.items()})
            if spec.body is not None:
                request.ctx.body = spec.body.validate(_body_or_empty(request, spec.body))
            return await handler(request, *args, **kwargs)

        wrapper.route_spec = spec  # type: ignore[attr-defined]
        bp.add_route(wrapper, path, methods=[spec.method], name=_route_name(spec))
        return wrapper

    return decorate


def _route_name(spec: RouteSpec) -> str:
    cleaned = spec.path.removeprefix(API_PREFIX).strip("/").replace("/", "_").replace(".", "_")
    for ch in "<>:":
        cleaned = cleaned.replace(ch, "")
    return f"{spec.method.lower()}_{cleaned or 'root'}"


def _body_or_empty(request: Request, body: Obj) -> Any:
    """A body whose fields are all optional may be left out entirely (`curl -X POST URL`)."""
    if not request.body and not any(f.required for f in body.fields.values()):
        return {}
    return json_body(request)


def json_body(request: Request) -> Any:
    if not request.body:
        raise BadRequest("The request body must be a JSON object.", slug="invalid-json")
    try:
        return json.loads(request.body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadRequest(f"The request body is not valid JSON: {exc}", slug="invalid-json") from None


async def authenticate(request: Request) -> auth.Principal:
    ctx = request.app.ctx.sandbox
    secret = auth.parse_bearer(request.headers.get("authorization"))
    secret_hash = auth.hash_secret(secret)
    principal = ctx.keys.lookup(secret_hash)
    if principal is KeyError:
        principal = await ctx.db.run(auth.load_principal, secret_hash)
        ctx.keys.store(secret_hash, principal)
    return auth.check_usable(principal)  # type: ignore[arg-type]
