"""Route declarations: each API route states its scope, inputs and outputs in one place.

`endpoint(bp, method, path, ...)` registers the handler with Sanic, wraps it with
authentication, the rate limit (limits.py), the scope check, input validation and
Idempotency-Key handling (idempotency.py), and hangs a `RouteSpec` on it that the OpenAPI
document is built from (`route_specs(app)`). A route cannot exist without a declared scope
and schema.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable

from sanic import Blueprint, Request
from sanic.response import HTTPResponse

from gclap_sandbox import clock
from gclap_sandbox.accounts import auth, idempotency, limits
from gclap_sandbox.errors import (
    ApiError,
    BadRequest,
    Forbidden,
    Unauthorized,
    ValidationFailed,
)
from gclap_sandbox.http_json import json_body
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
    idempotent: bool = False  # honours Idempotency-Key
    body_required: bool = True  # False: an empty body means `{}`
    # OpenAPI `content` of a non-JSON request body the handler reads itself (e.g. a CSV upload).
    body_doc: dict[str, Any] | None = None
    # False: neither counted nor refused by the rate limit (headers still sent), so the route that
    # switches plan stays reachable when the organization is over its limit.
    rate_limited: bool = True


Handler = Callable[..., Awaitable[HTTPResponse]]


def endpoint(bp: Blueprint, method: str, path: str, *, scope: str | None, summary: str,
             body: Obj | None = None, query: Obj | None = None,
             responses: dict[int, dict[str, Any]] | None = None, authenticated: bool = True,
             description: str = "", body_content_type: str = "application/json",
             prefix: str = API_PREFIX, idempotent: bool | None = None,
             body_required: bool | None = None,
             body_doc: dict[str, Any] | None = None,
             rate_limited: bool = True) -> Callable[[Handler], Handler]:
    """Declare an API route. `responses` maps status -> {"description", "schema"?, "content_type"?}."""
    spec = RouteSpec(method=method.upper(), path=prefix + path, scope=scope, summary=summary,
                     tag=bp.name, body=body, query=query, responses=responses or {},
                     authenticated=authenticated, description=description,
                     body_content_type=body_content_type,
                     # Every authenticated POST honours Idempotency-Key unless it opts out.
                     idempotent=(method.upper() == "POST" and authenticated) if idempotent is None else idempotent,
                     # By default a body that `{}` satisfies may be left out.
                     body_required=(body is not None and not body.accepts_empty())
                     if body_required is None else body_required,
                     body_doc=body_doc, rate_limited=rate_limited)

    def decorate(handler: Handler) -> Handler:
        @functools.wraps(handler)
        async def wrapper(request: Request, *args: Any, **kwargs: Any) -> HTTPResponse:
            call = functools.partial(handler, request, *args, **kwargs)
            if not spec.authenticated:
                _validate(request, spec)
                return await call()
            return await _guarded(request, spec, call)

        wrapper.route_spec = spec  # type: ignore[attr-defined]
        bp.add_route(wrapper, path, methods=[spec.method], name=_route_name(spec))
        return wrapper

    return decorate


async def _guarded(request: Request, spec: RouteSpec, call: Callable[[], Awaitable[HTTPResponse]]
                   ) -> HTTPResponse:
    """Authenticated routes: key, rate limit (headers on every response), scope, input, idempotency."""
    ctx = request.app.ctx.sandbox
    principal = await _authenticate(request)
    request.ctx.principal = principal
    clock.use_organization(principal.organization_id)  # this request reads its organization's time
    ctx.key_last_used[principal.key_id] = clock.now()
    verdict = await limits.check_rate(ctx, principal.organization_id, count=spec.rate_limited)
    headers = limits.rate_limit_headers(verdict)
    request.ctx.rate_limit_headers = headers  # for a handler that streams (see start_stream)
    try:
        if not verdict.allowed:
            raise limits.rate_limited(verdict)
        if not principal.allows(spec.scope):
            raise Forbidden(f"This API key lacks the `{spec.scope}` scope.",
                            slug="missing-scope", missing_scope=spec.scope)
        _validate(request, spec)
        key = idempotency.parse_key(request.headers.get(idempotency.HEADER)) if spec.idempotent else None
        if key is None:
            response: HTTPResponse | None = await call()
        else:
            response = await idempotency.run_once(ctx, request, principal.organization_id, key, call)
    except ApiError as error:
        error.headers = {**headers, **error.headers}
        raise
    if response is None:  # streamed: start_stream sent the headers with the first bytes
        return response
    if not spec.rate_limited:  # report the window as the route left it (a plan switch opens a new one)
        headers = limits.rate_limit_headers(await limits.check_rate(ctx, principal.organization_id, count=False))
    response.headers.update(headers)
    return response


def route_specs(app: Any) -> list[RouteSpec]:
    """Every declared route the app serves (each handler carries its spec), in path order."""
    specs = {id(spec): spec for route in app.router.routes
             if (spec := getattr(route.handler, "route_spec", None)) is not None}
    return sorted(specs.values(), key=lambda spec: (spec.path, spec.method))


async def _authenticate(request: Request) -> auth.Principal:
    """The calling key, or 401 with an RFC 6750 challenge (`invalid_token` when a key was given)."""
    try:
        secret = auth.parse_bearer(request.headers.get("authorization"))
    except Unauthorized as error:
        error.headers["WWW-Authenticate"] = "Bearer"
        raise
    try:
        return await auth.resolve(request.app.ctx.sandbox, secret)
    except Unauthorized as error:
        description = "".join(ch for ch in error.detail if ch.isascii() and ch.isprintable() and ch not in '"\\')
        error.headers["WWW-Authenticate"] = f'Bearer error="invalid_token", error_description="{description}"'
        raise


async def start_stream(request: Request, *, content_type: str, headers: dict[str, str]) -> HTTPResponse:
    """Begin a streamed answer from a declared route, carrying the headers every answer carries."""
    return await request.respond(content_type=content_type,
                                 headers={**getattr(request.ctx, "rate_limit_headers", {}), **headers})


def _validate(request: Request, spec: RouteSpec) -> None:
    # Blank values kept: Sanic's `request.args` drops `?to=`, which would read as "no filter".
    args = {name: values[-1] for name, values in request.get_args(keep_blank_values=True).items()}
    if spec.query is not None:
        request.ctx.query = spec.query.validate_query(args)
    elif args:  # an ignored filter would be worse than an error (think DELETE ?to=...)
        raise ValidationFailed({name: ["Unknown query parameter."] for name in args})
    if spec.body is not None:
        data = json_body(request) if request.body or spec.body_required else {}
        request.ctx.body = spec.body.validate(data)
    elif spec.method in ("GET", "DELETE") and request.body.strip() not in (b"", b"{}"):
        raise BadRequest(f"{spec.method} takes no request body; options go in the query string.",
                         slug="unexpected-body")


def _route_name(spec: RouteSpec) -> str:
    cleaned = spec.path.removeprefix(API_PREFIX).strip("/").replace("/", "_").replace(".", "_")
    for ch in "<>:":
        cleaned = cleaned.replace(ch, "")
    return f"{spec.method.lower()}_{cleaned or 'root'}"
