"""Every page the email page, Settings and contact-editing work touched, at 1280 and 390 px in
light and dark: the content a person came for is on screen, nothing scrolls sideways, the
scheme is the one asked for. Screenshots go to $GCLAP_SCREENSHOT_DIR (or a temp folder)."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
from browser_support import WAIT_MS
from email_page_helpers import attachment_email
from ui_layout import assert_colour_scheme, visit_and_check

WIDTHS = (("1280", (1280, 860)), ("390", (390, 844)))


@pytest.mark.long(seconds=25)
def test_the_email_settings_and_contact_pages_read_well_at_1280_and_390_in_light_and_dark(browser, own_sandbox,
                                                                                           unique):
    from playwright.sync_api import expect

    folder = Path(os.environ.get("GCLAP_SCREENSHOT_DIR") or tempfile.mkdtemp(prefix="gclap-email-settings-shots-"))
    folder.mkdir(parents=True, exist_ok=True)
    with own_sandbox.client() as api:
        email = attachment_email(api, f"Your order {unique}")
        news = api.post("/api/v1/contacts/lists/", json={"name": f"News {unique}"}).json()
        contact = api.post("/api/v1/contacts/", json={
            "email": f"ana-{unique}@example.com", "first_name": "Ana", "lists": [news["id"]],
            "attributes": {"plan": "pro", "seats": 3, "address": {"city": "Porto"}}}).json()
        api.put("/api/v1/sandbox/chaos/", json={
            "smtp": [{"stage": "rcpt", "match": ["*@blocked.test"], "code": 550}],
            "http": [{"path": "/api/v1/emails/*", "methods": ["POST"], "status": 503, "probability": 25}]})
    context = browser.new_context(viewport={"width": 1280, "height": 860}, device_scale_factor=1)
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    expect.set_options(timeout=WAIT_MS)
    pages = {
        "email": (f"/emails/{email['id']}", [(page.locator("#email-subject"), "the subject"),
                                             (page.locator(".attachments"), "the attachments")]),
        "preferences": ("/settings/preferences", [(page.get_by_label("Dark"), "the theme choice"),
                                                  (page.get_by_label("Show times in"), "the time zone")]),
        "chaos": ("/settings/chaos", [(page.locator(".chaos-rule").first, "the first rule"),
                                      (page.get_by_role("button", name="Add HTTP rule"), "the add button")]),
        "api-keys": ("/settings/api-keys", [(page.locator("#keys-title"), "the title")]),
        "contacts": ("/contacts", [(page.get_by_role("link", name="New contact"), "the new-contact button")]),
        "contact": (f"/contacts/{contact['id']}", [(page.get_by_role("link", name="Edit contact"), "the edit button")]),
        "contact-new": ("/contacts/new", [(page.get_by_label("Email"), "the email field")]),
        "contact-edit": (f"/contacts/{contact['id']}/edit", [(page.get_by_label("Value of plan"), "a custom field")]),
    }
    try:
        for scheme in ("light", "dark"):
            page.emulate_media(color_scheme=scheme)
            for width_name, (width, height) in WIDTHS:
                page.set_viewport_size({"width": width, "height": height})
                for name, (path, content) in pages.items():
                    visit_and_check(page, f"{own_sandbox.http_url}{path}", folder / f"{name}-{width_name}-{scheme}.png",
                                    *content)
                    assert_colour_scheme(page, scheme)
                page.goto(f"{own_sandbox.http_url}/emails/{email['id']}")
                for tab, shot in (("Source", "email-source"), ("Links", "email-links")):
                    page.get_by_role("tab", name=tab).click()
                    if tab == "Source":
                        page.get_by_role("button", name="Decoded").click()
                    page.screenshot(path=str(folder / f"{shot}-{width_name}-{scheme}.png"), full_page=True)
    finally:
        context.close()
        with own_sandbox.client() as api:
            api.put("/api/v1/sandbox/chaos/", json={})
    print(f"\nScreenshots in {folder}")
