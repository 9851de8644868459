"""The email page's Source (decoded) and Links tabs, at 1280 and 390 px in light and dark: the
panel a person opened is on screen, nothing scrolls sideways, the scheme is the one asked for.
Screenshots go to $GCLAP_SCREENSHOT_DIR (or a temp folder). The pages themselves (the email with
its attachments, Settings, the contact pages) are loaded at both sizes in both schemes, checked
and kept as screenshots by tests/ui/test_every_page_browser.py."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

from browser_support import WAIT_MS
from email_page_helpers import attachment_email
from ui_layout import assert_colour_scheme, assert_readable_page

WIDTHS = (("1280", (1280, 860)), ("390", (390, 844)))


def test_the_email_pages_source_and_links_tabs_read_well_at_1280_and_390_in_light_and_dark(browser, own_sandbox,
                                                                                           unique):
    from playwright.sync_api import expect

    folder = Path(os.environ.get("GCLAP_SCREENSHOT_DIR") or tempfile.mkdtemp(prefix="gclap-email-settings-shots-"))
    folder.mkdir(parents=True, exist_ok=True)
    with own_sandbox.client() as api:
        email = attachment_email(api, f"Your order {unique}")
    context = browser.new_context(viewport={"width": 1280, "height": 860}, device_scale_factor=1)
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    expect.set_options(timeout=WAIT_MS)
    try:
        for width_name, (width, height) in WIDTHS:
            page.emulate_media(color_scheme="light")
            page.set_viewport_size({"width": width, "height": height})
            page.goto(f"{own_sandbox.http_url}/emails/{email['id']}")  # loaded at this width, then drawn in each scheme
            for scheme in ("light", "dark"):
                page.emulate_media(color_scheme=scheme)
                page.evaluate("() => window.scrollTo(0, 0)")  # the checks in the scheme before scrolled
                page.get_by_role("tab", name="Source").click()
                decoded = page.get_by_role("button", name="Decoded")
                decoded.click()
                expect(decoded).to_have_attribute("aria-pressed", "true")
                page.screenshot(path=str(folder / f"email-source-{width_name}-{scheme}.jpg"), full_page=True)
                assert_readable_page(page, (page.locator("#view-source"), "the decoded source"))
                assert_colour_scheme(page, scheme)
                page.get_by_role("tab", name="Links").click()
                links = page.locator("#view-links [data-links]")
                for address in ("https://shop.example/orders/42", "http://203.0.113.9/track"):
                    expect(links).to_contain_text(address)
                page.evaluate("() => window.scrollTo(0, 0)")
                page.screenshot(path=str(folder / f"email-links-{width_name}-{scheme}.jpg"), full_page=True)
                assert_readable_page(page, (links.locator("li").first, "the first link"))
    finally:
        context.close()
    print(f"\nScreenshots in {folder}")
