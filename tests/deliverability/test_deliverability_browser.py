"""The Deliverability page in a real browser: the score with its factors, their advice and trend,
each sending domain, and a placement test run from the page; screenshots at desktop and phone
sizes, light and dark."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

from browser_support import WAIT_MS
from deliverability_helpers import (
    DAY,
    MAGIC,
    PLACEMENT,
    advance,
    delivered_people,
    ok,
    reset,
    send,
)
from domain_helpers import DOMAINS, publish, verified_domain
from ui_layout import assert_colour_scheme, assert_readable_page, sizes_and_schemes


def _noisy_sender(api) -> None:
    send(api, delivered_people(9) + [f"spam@{MAGIC}"])
    send(api, delivered_people(5, "b"), from_email="hello@other.example", category="marketing")
    advance(api, 2 * DAY)  # two nightly snapshots: the trend has points
    send(api, delivered_people(4, "c"))


def test_the_page_explains_the_score_and_runs_a_placement_test(page, own_sandbox):
    from playwright.sync_api import expect

    with own_sandbox.client() as api:
        reset(api)
        _noisy_sender(api)
        page.goto(f"{own_sandbox.http_url}/deliverability")
        expect(page.locator("nav.mainnav a", has_text="Deliverability")).to_have_attribute("aria-current", "page")
        complaints = page.locator('[data-factor="complaint_rate"]')
        expect(complaints.locator("[data-factor-status]")).to_have_text("poor")
        expect(complaints.locator("[data-factor-advice]")).to_contain_text("0.3%")
        expect(complaints.locator("svg.spark polyline")).to_have_count(1)
        scored = ok(api.get("/api/v1/deliverability/score/"))
        expect(page.locator("[data-score-value]")).to_have_text(str(scored["score"]))
        expect(page.locator(".domains-table tr[data-domain]")).to_have_count(2)
        expect(page.locator("[data-placement-empty]")).to_be_visible()

        form = page.locator("[data-placement-form]")
        form.locator("#pt-subject").fill("Weekend deals")
        form.locator("input[name=marketing]").check()
        form.locator("[data-placement-run]").click()
        test = page.locator("[data-placement-test]")
        expect(test).to_have_count(1)
        expect(test.locator("h3")).to_have_text("Weekend deals")
        expect(test.locator("[data-provider]")).to_have_count(8)
        gmail = test.locator('[data-provider="gmail"]')
        gmail.locator("summary").click()
        expect(gmail.locator(".reasons")).to_contain_text("reported as spam")
        stored = ok(api.get(PLACEMENT))
        assert stored["count"] == 1 and stored["results"][0]["subject"] == "Weekend deals"
        summary = stored["results"][0]["summary"]
        expect(test.locator("[data-placement-summary]")).to_have_text(
            f"{summary['inbox']} inbox · {summary['spam']} spam · {summary['missing']} missing")


def test_a_domain_is_added_its_records_copied_and_verified_from_the_page(browser, own_sandbox):
    from playwright.sync_api import expect

    with own_sandbox.client() as api:
        reset(api)
        send(api, delivered_people(2), from_email="news@fresh.example")
        context = browser.new_context(permissions=["clipboard-read", "clipboard-write"])
        page = context.new_page()
        page.set_default_timeout(WAIT_MS)
        try:
            page.goto(f"{own_sandbox.http_url}/deliverability")
            expect(page.locator("[data-unregistered]")).to_contain_text("fresh.example")
            page.locator("#new-domain").fill("fresh.example")
            page.locator("[data-domain-form] button[type=submit]").click()
            card = page.locator('[data-domain-card="fresh.example"]')
            expect(card.locator("[data-domain-status]")).to_have_text("pending")
            expect(card.locator("tr[data-record]")).to_have_count(4)
            domain = ok(api.get(DOMAINS))["results"][0]
            dkim = next(r for r in domain["records"] if r["purpose"] == "dkim")
            card.locator('tr[data-record="dkim"] [data-copy$="-value"]').click()
            expect(page.locator(".toast")).to_have_text("Copied")
            assert page.evaluate("() => navigator.clipboard.readText()") == dkim["value"]

            publish(api, domain, leave_out=("dmarc",))
            card.locator("[data-domain-verify]").click()
            expect(card.locator("[data-domain-status]")).to_have_text("verified")
            expect(card.locator('tr[data-record="spf"] [data-record-status]')).to_have_text("verified")
            expect(card.locator('tr[data-record="dmarc"] [data-record-status]')).to_have_text("missing")
            auth = page.locator('[data-factor="authentication"]')
            expect(auth.locator("[data-factor-status]")).to_have_text("warning")
            expect(auth.locator("[data-factor-advice]")).to_contain_text("_dmarc.fresh.example")
            expect(page.locator("[data-unregistered]")).to_have_count(0)
        finally:
            context.close()


def test_a_placement_form_without_a_subject_names_the_problem_and_sends_nothing(page, own_sandbox):
    from playwright.sync_api import expect

    with own_sandbox.client() as api:
        reset(api)
        page.goto(f"{own_sandbox.http_url}/deliverability")
        page.locator("#pt-subject").fill("")
        page.locator("[data-placement-run]").click()
        expect(page.locator("[data-placement-errors]")).to_contain_text("subject")
        assert ok(api.get(PLACEMENT))["count"] == 0
        assert ok(api.get("/api/v1/emails/"))["count"] == 0


def test_the_deliverability_page_reads_well_on_desktop_and_phone_in_light_and_dark(browser, own_sandbox):
    from playwright.sync_api import expect

    folder = Path(os.environ.get("GCLAP_SCREENSHOT_DIR") or tempfile.mkdtemp(prefix="gclap-deliverability-shots-"))
    folder.mkdir(parents=True, exist_ok=True)
    with own_sandbox.client() as api:
        reset(api)
        verified_domain(api, "shop.example")
        _noisy_sender(api)
        ok(api.post(PLACEMENT, json={"subject": "Spring sale", "html": "<p>Hi</p>", "from_email": "news@shop.example",
                                     "category": "marketing"}), 201)
    context = browser.new_context(viewport={"width": 1366, "height": 900}, device_scale_factor=1)
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    expect.set_options(timeout=WAIT_MS)
    try:
        for size, scheme in sizes_and_schemes(page, lambda: page.goto(f"{own_sandbox.http_url}/deliverability")):
            content = [(page.locator("[data-score-value]"), "the score"),
                       (page.locator('[data-factor="complaint_rate"]'), "the complaint factor"),
                       (page.locator(".domains-wrap"), "the domains"),
                       (page.locator('[data-domain-card="shop.example"] tr[data-record="dkim"]'), "a DNS record"),
                       (page.locator("[data-placement-test]"), "the placement test")]
            for locator, what in content:
                expect(locator, what).to_be_visible()
            page.screenshot(path=str(folder / f"deliverability-{size}-{scheme}.jpg"), full_page=True)
            assert_readable_page(page, *content)
            assert_colour_scheme(page, scheme)
    finally:
        context.close()
    print(f"\nDeliverability screenshots in {folder}")
