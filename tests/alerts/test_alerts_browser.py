"""The Alerts pages in a real browser: an alert made with the form (a bad one named field by
field), fired by bounces on the sandbox clock, its history, a test sent, and an edit; screenshots
at desktop and phone sizes, light and dark."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

from alert_helpers import ALERTS, PER_EMAIL, alert, alert_emails, send_batch
from browser_support import WAIT_MS
from lifecycle_helpers import advance
from ui_layout import assert_colour_scheme, sizes_and_schemes, visit_and_check


def test_an_alert_is_made_with_the_form_fires_and_shows_its_history_test_and_edit(page, own_sandbox, unique):
    from playwright.sync_api import expect

    oncall = f"oncall-{unique}@shop.example"
    with own_sandbox.client() as api:
        before = api.get(ALERTS, params={"page_size": 1}).json()["count"]
        page.goto(f"{own_sandbox.http_url}/alerts")
        page.get_by_role("link", name="New alert").click()
        form = page.locator("[data-alert-form]")
        form.get_by_label("Name").fill(f"Bounces {unique}")
        form.get_by_label("Threshold").fill("500")  # a rate above 100%: named beside the field
        form.get_by_label("Email addresses").fill("not an address")
        form.get_by_role("button", name="Create alert").click()
        expect(page.locator("#err-threshold")).to_contain_text("percentage from 0 to 100")
        expect(page.locator("#err-emails")).to_contain_text("Not a valid email address")
        assert api.get(ALERTS, params={"page_size": 1}).json()["count"] == before

        form.get_by_label("Threshold").fill("5")
        form.get_by_label("Minimum volume").fill("10")
        form.get_by_label("Tag").fill(unique)
        form.get_by_label("Email addresses").fill(oncall)
        form.get_by_role("button", name="Create alert").click()
        expect(page.locator("#alert-title")).to_have_text(f"Bounces {unique}")
        expect(page.locator(".notice")).to_contain_text("Saved")
        expect(page.locator(".page-head [data-alert-state]")).to_have_text("ok")

        send_batch(api, unique, delivered=18, bounced=2, tags=[unique], per_email=PER_EMAIL)
        advance(api, seconds=300)
        page.reload()
        expect(page.locator(".page-head [data-alert-state]")).to_have_text("triggered")
        expect(page.locator(".kpis div", has_text="Last value").locator("dd").first).to_have_text("10.0%")
        expect(page.locator(".alert-history tbody tr")).to_have_count(1)
        expect(page.locator(".alert-history tbody tr")).to_contain_text("ok → triggered")

        page.get_by_role("button", name="Send test").click()
        expect(page.locator(".notice")).to_contain_text("Test sent: 1 email(s)")
        assert [e["subject"] for e in alert_emails(api, oncall)] == [
            f"Triggered: Bounces {unique}", f"[Test] Alert: Bounces {unique}"]

        form = page.locator("[data-alert-form]")
        form.get_by_label("Threshold").fill("12.5")
        form.get_by_role("button", name="Save").click()
        expect(page.locator(".notice")).to_contain_text("Saved")
        config_id = page.url.split("/alerts/")[1].split("?")[0]
        assert api.get(f"{ALERTS}{config_id}/").json()["condition"] == {"type": "above", "threshold": 0.125}
        advance(api, seconds=1)  # evaluated again at once: 10% is no longer above 12.5%
        page.goto(f"{own_sandbox.http_url}/alerts")
        row = page.locator(".alerts-table tr", has_text=f"Bounces {unique}")
        expect(row.locator("[data-alert-state]")).to_have_text("resolved")
        expect(row).to_contain_text("Bounce rate above 12.5%")


def test_the_alert_pages_read_well_on_desktop_and_phone_in_light_and_dark(browser, own_sandbox, unique):
    from playwright.sync_api import expect

    folder = Path(os.environ.get("GCLAP_SCREENSHOT_DIR") or tempfile.mkdtemp(prefix="gclap-alert-shots-"))
    folder.mkdir(parents=True, exist_ok=True)
    with own_sandbox.client() as api:
        config = alert(api, name=f"Spike {unique}", filters={"tag": unique},
                       channels={"emails": [f"a-{unique}@shop.example"]})
        send_batch(api, unique, delivered=3, bounced=1, tags=[unique], per_email=PER_EMAIL)
        advance(api, seconds=300)
    context = browser.new_context(viewport={"width": 1366, "height": 900}, device_scale_factor=1)
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    expect.set_options(timeout=WAIT_MS)

    def visit(name: str, path: str) -> None:
        if path == "/alerts":
            content = [(page.locator(".alerts-table tr", has_text=f"Spike {unique}"), "the alert's row")]
        else:
            content = [(page.locator(".page-head [data-alert-state]"), "the state"),
                       (page.locator(".alert-history"), "the history"),
                       (page.locator("[data-alert-form] button[type=submit]"), "the save button")]
        visit_and_check(page, f"{own_sandbox.http_url}{path}", folder / name, *content)

    try:
        for size, scheme in sizes_and_schemes(page):
            visit(f"alerts-{size}-{scheme}.png", "/alerts")
            assert_colour_scheme(page, scheme)
            visit(f"alert-{size}-{scheme}.png", f"/alerts/{config['id']}")
    finally:
        context.close()
    print(f"\nAlert screenshots in {folder}")
