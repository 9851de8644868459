"""The API reference page in a real browser: try a request from the page, and destructive
requests ask first."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
from playwright.sync_api import expect


def test_try_it_sends_an_email_from_the_reference_page(own_sandbox, page):
    page.goto(own_sandbox.http_url + "/docs")
    send = page.locator("#post-api-v1-emails-send")
    send.locator("details.try summary").click()
    send.get_by_label("Body (JSON)").fill(
        '{"to": "docs-reader@example.com", "subject": "Sent from the docs", "text": "hi"}')
    send.get_by_role("button", name="Send POST").click()
    expect(send.locator(".try-result")).to_contain_text("202 Accepted")
    with own_sandbox.client() as api:
        found = api.get("/api/v1/emails/", params={"to": "docs-reader@example.com"}).json()
    assert [e["subject"] for e in found["results"]] == ["Sent from the docs"]


def test_a_destructive_request_asks_first_and_does_nothing_when_declined(own_sandbox, page):
    with own_sandbox.client() as api:
        api.post("/api/v1/emails/send/", json={"to": "keep-me@example.com", "subject": "Keep", "text": "x"})
    page.goto(own_sandbox.http_url + "/docs")
    reset = page.locator("#post-api-v1-sandbox-reset")
    reset.locator("details.try summary").click()
    asked: list[str] = []

    def decline(dialog) -> None:  # type: ignore[no-untyped-def]
        asked.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", decline)
    reset.get_by_role("button", name="Send POST").click()
    expect(reset.locator(".try-result")).to_be_hidden()
    assert asked and "POST /api/v1/sandbox/reset/" in asked[0]
    with own_sandbox.client() as api:
        assert api.get("/api/v1/emails/", params={"to": "keep-me@example.com"}).json()["count"] == 1


@pytest.mark.long(seconds=4)
def test_screenshots_of_the_reference_page(own_sandbox, browser):
    folder = Path(os.environ.get("GCLAP_SCREENSHOT_DIR") or tempfile.mkdtemp(prefix="gclap-docs-shots-"))
    folder.mkdir(parents=True, exist_ok=True)
    for name, size in {"desktop": (1366, 900), "phone": (390, 844)}.items():
        for scheme in ("light", "dark"):
            context = browser.new_context(viewport={"width": size[0], "height": size[1]}, color_scheme=scheme)
            page = context.new_page()
            page.goto(own_sandbox.http_url + "/docs")
            expect(page.get_by_role("heading", name="This sandbox's API")).to_be_visible()
            # Nothing on the page is wider than the screen.
            assert page.evaluate("document.documentElement.scrollWidth") <= size[0]
            page.screenshot(path=str(folder / f"docs-{name}-{scheme}.png"))
            context.close()
    print(f"screenshots in {folder}")
