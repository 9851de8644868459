"""The inbox-preview web UI: a base (blueprint, rendering, access) and one module per page area.

`install(app)` adds the UI to an app: every page module below is imported here (and only
here), and what each declares (`NAV`, `EMAIL_PANELS`) is collected onto `app.ctx.ui`, where
rendering reads it. Adding a page area is one module and one line in `PAGES`. Pages call
domain services (inbox, contacts, webhooks, ...), never the API's routes.
"""
from __future__ import annotations

from typing import Any

from gclap_sandbox.ui import (
    alerts,
    analytics,
    automation,
    campaigns,
    chaos_rules,
    contacts,
    delivery,
    deliverability,
    docs,
    email_checks,
    email_page,
    inbox,
    keys,
    preferences,
    reports,
    sign_in,
    template_editor,
    webhooks,
)
from gclap_sandbox.ui.base import UiSite, bp, nav_entries

PAGES = (inbox, email_page, email_checks, delivery, contacts, campaigns, analytics, alerts, reports, deliverability,
         template_editor, automation, webhooks, keys, preferences, chaos_rules, docs, sign_in)


def install(app: Any) -> None:
    app.ctx.ui = UiSite(
        nav=nav_entries(m.NAV for m in PAGES if hasattr(m, "NAV")),
        email_panels=tuple(panel for m in PAGES for panel in getattr(m, "EMAIL_PANELS", ())),
    )
    app.blueprint(bp)


__all__ = ["install", "PAGES"]
