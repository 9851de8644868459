"""Settings -> Preferences: theme, time zone and new-mail notifications. They belong to the
browser, not the sandbox (two people sharing one sandbox choose their own), so the page only
renders the form; web/static/preferences.js keeps the choices in localStorage and prefs.js
applies them on every page."""
from __future__ import annotations

from sanic import Request
from sanic.response import HTTPResponse

from gclap_sandbox.ui.base import page, render

THEMES = (("system", "Follow the system"), ("light", "Light"), ("dark", "Dark"))


@page("/settings/preferences", name="preferences")
async def preferences_page(request: Request) -> HTTPResponse:
    return render(request, "preferences.html", themes=THEMES)
