"""The API reference page in a real browser: try a request from the page, and destructive
requests ask first. (Its screenshots at desktop and phone size in light and dark, and its fit
to those widths, come from tests/ui/test_every_page_browser.py, which loads every page so.)"""
from __future__ import annotations

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
