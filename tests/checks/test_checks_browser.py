"""The Checks tab and the inbox verdicts in a real browser, at desktop and phone sizes, light and dark."""
from __future__ import annotations

import os
from pathlib import Path

from browser_support import WAIT_MS
from checks_helpers import IMAGE_ONLY_MARKETING, only_email_to, send_api, send_raw
from ui_layout import assert_colour_scheme, assert_readable_page, sizes_and_schemes

SHOTS = Path(os.environ.get("GCLAP_SCREENSHOT_DIR") or "/tmp/shots-checks")

CLEAN_HTML = ('<table role="presentation"><tr><td>'
              '<img src="https://shop.example/logo.png" alt="Shop" width="120" height="40">'
              '<p>Good news: your order 1042 left our warehouse this morning and is on its way. The carrier '
              'expects to deliver it on Thursday between 9:00 and 13:00; you can follow it, change the day '
              'or pick a parcel point with the link below.</p>'
              '<p><a href="https://shop.example/orders/1042">Track your order</a></p></td></tr></table>')


def _marketing(sandbox, api, unique: str) -> dict:
    to = f"ui-deals-{unique}@example.com"
    send_raw(sandbox, to, IMAGE_ONLY_MARKETING.format(to=to))
    return only_email_to(api, to)


def test_the_checks_tab_shows_each_section_with_its_findings(page, own_sandbox, unique):
    from playwright.sync_api import expect

    with own_sandbox.client() as api:
        email = _marketing(own_sandbox, api, unique)
    page.goto(f"{own_sandbox.http_url}/emails/{email['id']}")
    tab = page.get_by_role("tab", name="Checks")
    expect(tab).to_contain_text("fail")
    tab.click()
    panel = page.locator("#view-checks")
    expect(panel.locator("#checks-spam-title")).to_contain_text("Spam signals")
    expect(panel.locator("#checks-spam")).to_contain_text("missing-list-unsubscribe")
    expect(panel.locator("#checks-spam")).to_contain_text("image-only")
    expect(panel.locator("#checks-links")).to_contain_text("mismatched-text")
    expect(panel.locator("#checks-links")).to_contain_text("The text shows www.yourbank.com")
    expect(panel.locator("#checks-html .client-scores li")).to_have_count(9)
    expect(panel.locator("#checks-spam")).to_contain_text("--spamassassin HOST:PORT")
    # The keyboard reaches it too: from the Links tab, the right arrow selects Checks.
    page.get_by_role("tab", name="Links").click()
    page.keyboard.press("ArrowRight")
    expect(tab).to_have_attribute("aria-selected", "true")
    expect(panel).to_be_visible()


def test_the_inbox_row_shows_the_three_verdicts_in_words_as_well_as_colour(page, own_sandbox, unique):
    from playwright.sync_api import expect

    with own_sandbox.client() as api:
        bad = _marketing(own_sandbox, api, unique)
        good = send_api(api, to=f"ui-clean-{unique}@example.com", subject=f"Order shipped {unique}",
                        text="Your order is on its way.", html=CLEAN_HTML)
    page.goto(f"{own_sandbox.http_url}/")
    bad_row = page.locator(f'li.row[data-id="{bad["id"]}"] .checks-mini')
    good_row = page.locator(f'li.row[data-id="{good["id"]}"] .checks-mini')
    # A symbol and a word for each section; screen readers get the words only.
    expect(bad_row.locator(".verdict")).to_have_text(["! HTML warn", "✕ Links fail", "✕ Spam fail"])
    expect(good_row.locator(".verdict")).to_have_text(["✓ HTML pass", "✓ Links pass", "✓ Spam pass"])
    expect(bad_row).to_match_aria_snapshot("- text: HTML warn Links fail Spam fail")
    assert good_row.get_attribute("title") == "Checks: HTML pass, links pass, spam pass"


def test_the_checks_tab_and_inbox_read_well_on_desktop_and_phone_in_light_and_dark(browser, own_sandbox, unique):
    from playwright.sync_api import expect

    SHOTS.mkdir(parents=True, exist_ok=True)
    with own_sandbox.client() as api:
        email = _marketing(own_sandbox, api, unique)
    context = browser.new_context(viewport={"width": 1366, "height": 900}, device_scale_factor=1)
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    expect.set_options(timeout=WAIT_MS)
    try:
        for size, scheme in sizes_and_schemes(page, lambda: page.goto(f"{own_sandbox.http_url}/")):
            row = page.locator(f'li.row[data-id="{email["id"]}"] .checks-mini')
            expect(row).to_be_visible()
            page.screenshot(path=str(SHOTS / f"inbox-{size}-{scheme}.jpg"), full_page=False)
            assert_readable_page(page, (row, "the row's check verdicts"))
            assert_colour_scheme(page, scheme)

        def open_the_checks_tab() -> None:
            page.goto(f"{own_sandbox.http_url}/emails/{email['id']}")
            page.get_by_role("tab", name="Checks").click()

        for size, scheme in sizes_and_schemes(page, open_the_checks_tab):
            content = [(page.locator("#checks-html-title"), "the HTML section"),
                       (page.locator("#checks-links-title"), "the links section"),
                       (page.locator("#checks-spam-title"), "the spam section")]
            for locator, what in content:
                expect(locator, what).to_be_visible()
            page.screenshot(path=str(SHOTS / f"checks-{size}-{scheme}.jpg"), full_page=True)
            assert_readable_page(page, *content)
    finally:
        context.close()
    print(f"\nChecks screenshots in {SHOTS}")
