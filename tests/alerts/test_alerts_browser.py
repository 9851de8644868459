"""The Alerts pages in a real browser: an alert made with the form (a bad one named field by
field), fired by bounces on the sandbox clock, its history, a test sent, and an edit. Its pages at
desktop and phone sizes, light and dark, are checked in tests/ui/test_every_page_browser.py."""
from __future__ import annotations

from alert_helpers import ALERTS, PER_EMAIL, alert, alert_emails, send_batch
from lifecycle_helpers import advance


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
