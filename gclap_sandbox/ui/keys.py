"""Settings -> API keys: list, create (the secret shown once), revoke and rotate.

The page's calls use the accounts API's validators and `api_keys` units of work, so a key
made here is the same as one made with `POST /api/v1/accounts/api-keys/`. The UI offers
expiry as a number of days from the sandbox clock's now.
"""
from __future__ import annotations

from datetime import timedelta
from typing import Any

from sanic import Request
from sanic.response import HTTPResponse, redirect

from gclap_sandbox import clock
from gclap_sandbox.accounts import keys as api_keys
from gclap_sandbox.accounts.schemas import CREATE_KEY_BODY, ROTATE_BODY
from gclap_sandbox.accounts.scopes import SCOPES
from gclap_sandbox.http_json import json_body, json_response
from gclap_sandbox.schema import Int, Obj
from gclap_sandbox.ui.base import NavItem, bp, db_run, organization_of, page, render, templates

KEYS_SHOWN = 500  # a sandbox has a handful of keys; the API pages through any number
EXPIRY_CHOICES = [(None, "Never"), (7, "In 7 days"), (30, "In 30 days"), (90, "In 90 days"), (365, "In a year")]
UI_CREATE_BODY = Obj({
    "name": CREATE_KEY_BODY.fields["name"],
    "scopes": CREATE_KEY_BODY.fields["scopes"],
    "expires_in_days": Int(minimum=1, maximum=3650, nullable=True,
                           description="Days until the key stops working (default: never)."),
})

NAV = NavItem("Settings", "/settings", 80)


def _org(request: Request) -> str:
    return organization_of(request)


def _take_last_used(request: Request) -> dict[str, Any]:
    usage = dict(request.app.ctx.sandbox.key_last_used)
    request.app.ctx.sandbox.key_last_used.clear()
    return usage


def _rows_html(data: dict[str, Any]) -> str:
    return templates.get_template("_key_rows.html").render(keys=data["keys"])


@bp.get("/settings", name="settings")
async def settings_index(request: Request) -> HTTPResponse:
    return redirect("/settings/api-keys", status=303)


@page("/settings/api-keys", name="api_keys")
async def keys_page(request: Request) -> HTTPResponse:
    data = await db_run(request, api_keys.key_table, _org(request), _take_last_used(request), KEYS_SHOWN)
    grantable = data.pop("grantable")  # an organization's keys can hold only these
    return render(request, "api_keys.html", scopes={name: SCOPES[name] for name in grantable},
                  expiry_choices=EXPIRY_CHOICES, **data)


def _create(organization_id: str, body: dict[str, Any]) -> dict[str, Any]:
    days = body.get("expires_in_days")
    expires_at = clock.now() + timedelta(days=days) if days else None
    return api_keys.create_key(organization_id, body["name"], body.get("scopes"), expires_at)


async def _answer(request: Request, created: dict[str, Any] | None, status: int = 200) -> HTTPResponse:
    request.app.ctx.sandbox.keys.clear()
    data = await db_run(request, api_keys.key_table, _org(request), _take_last_used(request), KEYS_SHOWN)
    return json_response({"key": created, "rows": _rows_html(data), "total": data["total"]}, status=status)


@bp.post("/ui/api/keys", name="key_create")
async def create_key(request: Request) -> HTTPResponse:
    body = UI_CREATE_BODY.validate(json_body(request))
    created = await db_run(request, _create, _org(request), body)
    return await _answer(request, created, status=201)


@bp.delete("/ui/api/keys/<key_id:uuid>", name="key_revoke")
async def revoke_key(request: Request, key_id: Any) -> HTTPResponse:
    await db_run(request, api_keys.revoke_key, _org(request), str(key_id))
    return await _answer(request, None)


@bp.post("/ui/api/keys/<key_id:uuid>/rotate", name="key_rotate")
async def rotate_key(request: Request, key_id: Any) -> HTTPResponse:
    body = ROTATE_BODY.validate(json_body(request) if request.body else {})
    rotated = await db_run(request, api_keys.rotate_key, _org(request), str(key_id), body["grace_period_seconds"])
    return await _answer(request, rotated, status=201)
