"""The web UI in a real browser (headless Chromium driven by Playwright)."""
from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

import pytest
from browser_support import WAIT_MS, wait_for_script
from ui_helpers import rich_email, send_api, send_smtp
from ui_layout import assert_colour_scheme, assert_readable_page


def test_mail_sent_by_smtp_appears_live_in_the_open_inbox(sandbox, page, unique):
    from playwright.sync_api import expect

    page.goto(f"{sandbox.http_url}/")
    expect(page.locator("h1")).to_have_text("Inbox")
    wait_for_script(page, "document.querySelector('.inbox') !== null")
    send_smtp(sandbox, f"Live delivery {unique}", sender=f"Live Bot <bot-{unique}@example.com>")
    row = page.locator(".row", has_text=f"Live delivery {unique}")
    expect(row).to_be_visible()
    expect(row).to_have_class(re.compile(r"\bunread\b"))
    expect(row.locator(".from")).to_have_text("Live Bot")
    expect(page).to_have_title(re.compile(r"^\(\d+\) Inbox"))


def test_search_narrows_the_list(sandbox, api, page, unique):
    from playwright.sync_api import expect

    send_api(api, subject=f"Invoice {unique}", tags=["billing"])
    send_api(api, subject=f"Welcome {unique}")
    page.goto(f"{sandbox.http_url}/?q={unique}")
    expect(page.locator(".row")).to_have_count(2)
    page.fill("#q", f"{unique} subject:invoice")
    page.press("#q", "Enter")
    expect(page.locator(".row")).to_have_count(1)
    expect(page.locator(".row .subject")).to_have_text(f"Invoice {unique}")
    expect(page.locator("#q")).to_have_value(f"{unique} subject:invoice")


def test_email_page_shows_html_text_source_and_an_attachment(sandbox, api, page, unique):
    from playwright.sync_api import expect

    email = rich_email(api, f"Your receipt {unique}")
    page.goto(f"{sandbox.http_url}/emails/{email['id']}")
    expect(page.locator("h1")).to_have_text(f"Your receipt {unique}")
    frame = page.frame_locator("iframe")
    expect(frame.locator("#greeting")).to_have_text("Thanks for your order")
    logo = frame.locator("#logo")
    expect(logo).to_be_visible()
    assert logo.evaluate("img => img.complete && img.naturalWidth") == 2  # the cid: image loaded
    page.get_by_role("tab", name="Text").click()
    expect(page.locator(".text-body")).to_contain_text("View it at https://shop.example/orders/42")
    page.get_by_role("tab", name="Source").click()
    expect(page.locator('[data-source="received"] .source')).to_contain_text("Content-Type: multipart/mixed")
    page.get_by_role("tab", name="Headers").click()
    expect(page.locator(".headers")).to_contain_text("Message-ID")
    page.get_by_role("tab", name=re.compile("Links")).click()
    expect(page.locator("[data-links]")).to_contain_text("https://shop.example/orders/42")
    with page.expect_download() as download_info:
        page.get_by_role("link", name=re.compile("receipt.txt")).click()
    download = download_info.value
    assert download.suggested_filename == "receipt.txt"
    assert Path(download.path()).read_bytes() == b"Order 42: 3 items"
    page.get_by_role("tab", name="HTML").click()
    page.get_by_role("button", name="Phone").click()
    wait_for_script(page, "document.querySelector('iframe').getBoundingClientRect().width === 375")


def test_a_script_inside_an_email_does_not_run(sandbox, api, page, unique):
    from playwright.sync_api import expect

    evil = ("<h1 id='x'>Hi</h1><script>document.getElementById('x').textContent='ran';"
            "try { parent.document.title = 'pwned' } catch (e) {}</script>"
            "<img src='data:,' onerror=\"document.getElementById('x').textContent='ran'\">")
    email = send_api(api, subject=f"Evil {unique}", html=evil)
    page.goto(f"{sandbox.http_url}/emails/{email['id']}")
    expect(page.frame_locator("iframe").locator("#x")).to_have_text("Hi")
    assert "pwned" not in page.title()
    # Even opened directly, the body's own CSP sandboxes it: no script runs in the UI's origin.
    page.goto(f"{sandbox.http_url}/ui/emails/{email['id']}/html")
    expect(page.locator("#x")).to_have_text("Hi")
    assert page.evaluate("() => document.getElementById('x').textContent") == "Hi"


def test_keyboard_moves_between_emails_and_deletes(launch, browser):
    from playwright.sync_api import expect

    box = launch()
    with box.client() as api:
        oldest = send_api(api, subject="one")
        middle = send_api(api, subject="two")
        send_api(api, subject="three")
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    try:
        page.goto(f"{box.http_url}/emails/{middle['id']}")
        page.keyboard.press("j")
        expect(page.locator("h1")).to_have_text("one")
        page.wait_for_load_state("load")  # the page's key handlers are attached by then
        page.keyboard.press("k")
        expect(page.locator("h1")).to_have_text("two")
        page.wait_for_load_state("load")
        page.keyboard.press("Delete")
        expect(page.locator("h1")).to_have_text("one")
        assert page.url.endswith(oldest["id"])
        with box.client() as api:
            assert api.get(f"/api/v1/emails/{middle['id']}/").status_code == 404
    finally:
        context.close()


def test_login_then_use_the_exposed_ui(launch, browser):
    from playwright.sync_api import expect

    box = launch("--http", "0.0.0.0:0", "--ui-password", "letmein")
    with box.client() as api:
        send_api(api, subject="behind the password")
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    try:
        page.goto(f"{box.http_url}/")
        expect(page.locator("h1")).to_have_text("Sign in to the inbox")
        page.fill("#password", "letmein")
        page.click("button[type=submit]")
        expect(page.locator(".row .subject")).to_have_text("behind the password")
        cookie = next(c for c in context.cookies() if c["name"] == "gclap_ui_session")
        assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
        page.get_by_role("button", name="Delete all").click()
        page.get_by_role("dialog").get_by_role("button", name="Delete 1 email").click()
        expect(page.locator(".empty h2")).to_have_text("Waiting for mail")
    finally:
        context.close()


@pytest.mark.long(seconds=4)
def test_the_inbox_and_an_email_show_their_content_on_desktop_in_dark_mode_and_on_a_phone(launch, browser):
    """As a person checks them at each size: the content is on screen, nothing scrolls sideways,
    navigation is reachable, dark mode is dark and readable. Screenshots are kept for people.
    (The API reference at each size and scheme: tests/ui/test_every_page_browser.py.)"""
    from playwright.sync_api import expect

    box = launch()
    folder = Path(os.environ.get("GCLAP_SCREENSHOT_DIR") or tempfile.mkdtemp(prefix="gclap-ui-shots-"))
    folder.mkdir(parents=True, exist_ok=True)
    with box.client() as api:
        send_api(api, subject="Reset your password", from_email="Acme Security <security@acme.example>",
                 to=["jo@example.com"], text="Someone asked to reset the password of your Acme account.",
                 tags=["auth"])
        send_api(api, subject="Your weekly summary", from_email="Acme Reports <reports@acme.example>",
                 to=["team@example.com"], html="<h2>This week</h2><p>42 new sign-ups, 7 upgrades.</p>", text="42 new sign-ups, 7 upgrades.",
                 tags=["digest"])
        send_smtp(box, "Build #1842 passed", sender="CI <ci@builds.example>", to="dev@example.com",
                  text="All 312 tests passed on main in 4m 12s.")
        send_api(api, subject="Welcome to Acme, Ana!", from_email="Acme <hello@acme.example>",
                 to=["Ana Lima <ana@example.com>"], tags=["welcome", "onboarding"],
                 html="<p>Thanks for joining.</p>", text="Thanks for joining.")
        email = rich_email(api, "Your receipt for order #42")
    context = browser.new_context(viewport={"width": 1280, "height": 800}, device_scale_factor=1)
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    expect.set_options(timeout=WAIT_MS)
    subjects = ["Your receipt for order #42", "Welcome to Acme, Ana!", "Build #1842 passed",
                "Your weekly summary", "Reset your password"]

    def inbox() -> list[tuple]:
        return [(page.locator(".row", has_text=subject).locator(".subject-line"), f"the row of {subject!r}")
                for subject in subjects]

    try:
        page.goto(f"{box.http_url}/emails/{email['id']}")  # read one, so read and unread both show
        expect(page.frame_locator("iframe").locator("#greeting")).to_have_text("Thanks for your order")
        page.screenshot(path=str(folder / "email.jpg"))  # each screenshot before the checks scroll the page
        assert_readable_page(page, (page.locator("#email-subject", has_text=subjects[0]), "the subject"),
                             (page.locator("iframe").first, "the HTML body"))
        page.goto(f"{box.http_url}/")
        expect(page.locator(".row.unread")).to_have_count(4)  # all but the one just read
        page.screenshot(path=str(folder / "inbox.jpg"))
        assert_readable_page(page, *inbox())
        page.emulate_media(color_scheme="dark")
        page.screenshot(path=str(folder / "inbox-dark.jpg"))
        assert_colour_scheme(page, "dark")
        page.emulate_media(color_scheme="light")
        page.set_viewport_size({"width": 390, "height": 844})
        page.goto(f"{box.http_url}/")
        expect(page.locator(".row")).to_have_count(5)
        page.screenshot(path=str(folder / "inbox-phone.jpg"))
        assert_readable_page(page, *inbox())
        assert_colour_scheme(page, "light")
    finally:
        context.close()
    print(f"\nUI screenshots in {folder}")
