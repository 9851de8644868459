"""In a real browser: the sandbox's own UI never counts as a recipient, and the Source tab
shows the email as received and as delivered."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
from browser_support import WAIT_MS
from lifecycle_helpers import advance, events_of, statuses


def test_viewing_an_email_and_following_its_link_records_no_open_or_click(launch, page, unique):
    from playwright.sync_api import expect

    box = launch()
    to = f"reader-{unique}@example.com"
    link = f"{box.http_url}/healthz"  # somewhere real for the click to land
    with box.client() as api:
        sent = api.post("/api/v1/emails/send/", json={
            "to": to, "subject": "Tracked", "track_opens": True, "track_clicks": True,
            "html": f'<html><body><h1 id="hello">Hello</h1><p><a id="go" href="{link}">Open the shop</a></p></body></html>'})
        assert sent.status_code == 202, sent.text
        email_id = sent.json()["id"]
        advance(api, seconds=5)  # delivered, so any later change would show
        before = statuses(api, email_id)
        assert before == ("delivered", {to: "delivered"})

    page.goto(f"{box.http_url}/emails/{email_id}")
    frame = page.frame_locator("iframe")
    expect(frame.locator("#hello")).to_have_text("Hello")
    assert "/t/" not in frame.locator("html").inner_html()  # neither pixel nor tracked links in the preview
    with page.context.expect_page() as opened:
        frame.locator("#go").click()
    landed = opened.value
    landed.wait_for_load_state()
    assert landed.url == link
    landed.close()
    page.get_by_role("tab", name="Source").click()
    page.get_by_role("button", name="As delivered").click()
    expect(page.locator('[data-source="delivered"] .source')).to_contain_text("/t/open/")  # shown as text only
    page.reload()  # a second view
    expect(page.frame_locator("iframe").locator("#hello")).to_have_text("Hello")

    with box.client() as api:
        types = [e["type"] for e in events_of(api, email_id)]
        assert "email.opened" not in types and "email.clicked" not in types, types
        assert statuses(api, email_id) == before
        totals = api.get("/api/v1/analytics/dashboard/").json()["totals"]
        assert totals["opened"] == 0 and totals["clicked"] == 0


def test_the_source_tab_switches_between_received_and_delivered(launch, page, unique):
    from playwright.sync_api import expect

    box = launch()
    with box.client() as api:
        sent = api.post("/api/v1/emails/send/", json={
            "to": f"src-{unique}@example.com", "subject": "Source", "html": "<p>Hi</p>",
            "track_opens": True, "category": "marketing"})
        email_id = sent.json()["id"]
    page.goto(f"{box.http_url}/emails/{email_id}")
    page.get_by_role("tab", name="Source").click()
    received, delivered = page.locator('[data-source="received"]'), page.locator('[data-source="delivered"]')
    expect(received).to_be_visible()
    expect(delivered).to_be_hidden()
    expect(page.get_by_role("button", name="As received")).to_have_attribute("aria-pressed", "true")
    # The message the API wrote from the request: no tracking, and no instructions to the sandbox.
    assert "Subject: Source" in received.inner_text() and "/t/open/" not in received.inner_text()
    assert "X-Gclap-" not in received.inner_text()
    page.get_by_role("button", name="As delivered").click()
    expect(delivered).to_be_visible()
    expect(received).to_be_hidden()
    expect(page.get_by_role("button", name="As delivered")).to_have_attribute("aria-pressed", "true")
    expect(delivered).to_contain_text("List-Unsubscribe: <")
    assert "X-Gclap-" not in delivered.inner_text()
    with page.expect_download() as download:
        delivered.get_by_role("link", name="Download the delivered source (.eml)").click()
    assert download.value.suggested_filename == f"{email_id}-delivered.eml"
    page.get_by_role("button", name="As received").click()
    expect(received).to_be_visible()


@pytest.mark.long(seconds=4)
def test_screenshots_of_the_source_versions_and_a_bounce_report(launch, browser):
    """For people to look at: the Source tab (both versions) and a bounce report, at desktop
    and phone sizes, light and dark (GCLAP_SCREENSHOT_DIR, or a temporary folder)."""
    box = launch()
    folder = Path(os.environ.get("GCLAP_SCREENSHOT_DIR") or tempfile.mkdtemp(prefix="gclap-fidelity-shots-"))
    folder.mkdir(parents=True, exist_ok=True)
    with box.client() as api:
        tracked = api.post("/api/v1/emails/send/", json={
            "to": "Ana Lima <ana@example.com>", "from_email": "Acme News <news@acme.example>",
            "subject": "Spring sale: 30% off", "category": "marketing", "track_opens": True, "track_clicks": True,
            "html": '<h1>Spring sale</h1><p>Everything 30% off until Sunday. <a href="https://acme.example/sale">Shop now</a></p>',
            "text": "Spring sale: everything 30% off until Sunday. https://acme.example/sale"}).json()
        api.post("/api/v1/emails/send/", json={
            "to": "bounced@simulator.gclap.test", "from_email": "Acme Billing <billing@acme.example>",
            "subject": "Your invoice #1042", "text": "Invoice attached."})
        advance(api, seconds=5)
        [report] = api.get("/api/v1/emails/", params={"to": "billing@acme.example"}).json()["results"]
    context = browser.new_context(viewport={"width": 1366, "height": 900}, device_scale_factor=1)
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    shots = []
    try:
        for scheme in ("light", "dark"):
            page.emulate_media(color_scheme=scheme)
            for width, height, size in ((1366, 900, "desktop"), (390, 844, "phone")):
                page.set_viewport_size({"width": width, "height": height})
                page.goto(f"{box.http_url}/emails/{tracked['id']}")
                page.get_by_role("tab", name="Source").click()
                for version in ("received", "delivered"):
                    page.get_by_role("button", name=f"As {version}").click()
                    page.locator(f'[data-source="{version}"]').wait_for()
                    shots.append(folder / f"source-{version}-{size}-{scheme}.jpg")
                    page.screenshot(path=str(shots[-1]), full_page=True)
                page.goto(f"{box.http_url}/emails/{report['id']}")
                shots.append(folder / f"bounce-report-{size}-{scheme}.jpg")
                page.screenshot(path=str(shots[-1]), full_page=True)
    finally:
        context.close()
    print(f"\nScreenshots in {folder}")
    for shot in shots:
        assert shot.stat().st_size > 10_000
