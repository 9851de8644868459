"""Signing in to the web UI (when a password is set) and out."""
from __future__ import annotations

from sanic import Request
from sanic.response import HTTPResponse, redirect

from gclap_sandbox.ui.auth import (
    COOKIE,
    attempt_sign_in,
    safe_next,
)
from gclap_sandbox.ui.base import bp, guard_of, page, render, sandbox_of, session_id
from gclap_sandbox.ui.login_throttle import client_key


@page("/login", name="login_form")
async def login_form(request: Request) -> HTTPResponse:
    return render(request, "login.html", next=safe_next(request.args.get("next")), failed=False, wait=None)


@bp.post("/login", name="login")
async def login(request: Request) -> HTTPResponse:
    guard = guard_of(request)
    target = safe_next(request.form.get("next"))
    outcome = attempt_sign_in(guard, sandbox_of(request).login_throttle, client_key(request.ip),
                              request.form.get("password") or "")
    if not outcome.ok:
        response = render(request, "login.html", status=401 if outcome.wait is None else 429,
                          next=target, failed=outcome.wrong_password, wait=outcome.wait)
        if outcome.wait is not None:
            response.headers["Retry-After"] = str(outcome.wait)
        return response
    response = redirect(target, status=303)
    guard.end_session(session_id(request))
    response.add_cookie(COOKIE, guard.start_session(), httponly=True, samesite="Strict",
                        secure=request.scheme == "https", path="/")
    return response


@bp.post("/logout", name="logout")
async def logout(request: Request) -> HTTPResponse:
    guard_of(request).end_session(session_id(request))
    response = redirect("/login", status=303)
    response.delete_cookie(COOKIE, path="/")
    return response
