"""Signing in to the web UI (the password, when one is set) and choosing the organization it shows."""
from __future__ import annotations

from typing import Any

from sanic import Request
from sanic.response import HTTPResponse, redirect

from gclap_sandbox.accounts import organizations_admin
from gclap_sandbox.ui.auth import (
    COOKIE,
    attempt_sign_in,
    safe_next,
)
from gclap_sandbox.ui.base import bp, db_run, guard_of, organization_of, page, render, sandbox_of, session_id
from gclap_sandbox.ui.login_throttle import client_key


async def _form(request: Request, target: str, status: int = 200, **context: Any) -> HTTPResponse:
    choices = await db_run(request, organizations_admin.names)
    context = {"failed": False, "wait": None, "unknown_organization": False, **context}
    return render(request, "login.html", status=status, next=target, organizations=choices,
                  chosen=organization_of(request), needs_password=guard_of(request).needs_login, **context)


@page("/login", name="login_form")
async def login_form(request: Request) -> HTTPResponse:
    return await _form(request, safe_next(request.args.get("next")))


@bp.post("/login", name="login")
async def login(request: Request) -> HTTPResponse:
    guard = guard_of(request)
    target = safe_next(request.form.get("next"))
    chosen = request.form.get("organization") or sandbox_of(request).default_org_id
    if chosen not in {org_id for org_id, _ in await db_run(request, organizations_admin.names)}:
        return await _form(request, target, status=400, unknown_organization=True)
    outcome = attempt_sign_in(guard, sandbox_of(request).login_throttle, client_key(request.ip),
                              request.form.get("password") or "")
    if not outcome.ok:
        response = await _form(request, target, status=401 if outcome.wait is None else 429,
                               failed=outcome.wrong_password, wait=outcome.wait)
        if outcome.wait is not None:
            response.headers["Retry-After"] = str(outcome.wait)
        return response
    response = redirect(target, status=303)
    guard.end_session(session_id(request))
    response.add_cookie(COOKIE, guard.start_session(chosen), httponly=True, samesite="Strict",
                        secure=request.scheme == "https", path="/")
    return response


@bp.post("/logout", name="logout")
async def logout(request: Request) -> HTTPResponse:
    guard_of(request).end_session(session_id(request))
    response = redirect("/login", status=303)
    response.delete_cookie(COOKIE, path="/")
    return response
