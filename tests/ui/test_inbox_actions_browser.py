"""The inbox's confirmations in a real browser: bulk actions on a search, and Release."""
from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

import pytest
from browser_support import WAIT_MS, wait_for_script
from ui_helpers import rich_email, send_api


def unread_in_inbox(page) -> int:
    return int(page.locator(".totals [data-unread]").inner_text().replace(",", ""))


def test_delete_results_asks_with_the_count_and_removes_only_the_matches(launch, browser):
    from playwright.sync_api import expect

    box = launch()
    with box.client() as api:
        for n in range(55):  # more than the 50 rows a page shows
            send_api(api, subject=f"Issue {n}", tags=["newsletter"])
        send_api(api, subject="Keep me")
        send_api(api, subject="Keep me too")
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    try:
        page.goto(f"{box.http_url}/?q=tag:newsletter")
        expect(page.locator(".row")).to_have_count(50)
        page.get_by_role("button", name="Delete results").click()
        dialog = page.get_by_role("dialog")
        expect(dialog.get_by_role("heading")).to_have_text("Delete 55 emails matching tag:newsletter?")
        expect(dialog.get_by_role("button", name="Cancel")).to_be_focused()
        dialog.get_by_role("button", name="Cancel").click()
        expect(dialog).to_have_count(0)
        with box.client() as api:
            assert api.get("/api/v1/emails/").json()["count"] == 57
        page.get_by_role("button", name="Delete results").click()
        page.get_by_role("dialog").get_by_role("button", name="Delete 55 emails").click()
        expect(page.locator(".empty h2")).to_have_text("No email matches tag:newsletter")
        with box.client() as api:
            left = api.get("/api/v1/emails/").json()
        assert sorted(e["subject"] for e in left["results"]) == ["Keep me", "Keep me too"]
    finally:
        context.close()


def test_mark_results_read_asks_and_marks_only_the_matches(sandbox, api, page, unique):
    from playwright.sync_api import expect

    hits = [send_api(api, subject=f"Hit {n} {unique}", tags=[f"t-{unique}"]) for n in range(2)]
    other = send_api(api, subject=f"Other {unique}")
    page.goto(f"{sandbox.http_url}/?q=tag:t-{unique}")
    expect(page.locator(".totals")).to_contain_text("2 emails match")
    expect(page.locator(".totals")).to_contain_text("unread in the inbox")
    before = unread_in_inbox(page)
    page.get_by_role("button", name="Mark results read").click()
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_role("heading")).to_have_text(f"Mark 2 unread emails matching tag:t-{unique} as read?")
    dialog.get_by_role("button", name="Mark 2 read").click()
    expect(page.locator(".row.unread")).to_have_count(0)
    expect(page.get_by_role("button", name="Mark results read")).to_be_disabled()
    assert unread_in_inbox(page) == before - 2
    assert all(api.get(f"/api/v1/emails/{e['id']}/").json()["is_read"] for e in hits)
    assert api.get(f"/api/v1/emails/{other['id']}/").json()["is_read"] is False


def test_the_confirmation_counts_matching_mail_that_arrived_live(sandbox, api, page, unique):
    from playwright.sync_api import expect

    send_api(api, subject=f"First {unique}", tags=[f"live-{unique}"])
    page.goto(f"{sandbox.http_url}/?q=tag:live-{unique}")
    expect(page.locator(".totals")).to_contain_text("1 email matches")
    wait_for_script(page, "window.gclap && window.gclap.stream && window.gclap.stream.readyState === 1")
    send_api(api, subject=f"Second {unique}", tags=[f"live-{unique}"])
    send_api(api, subject=f"Unrelated {unique}")
    expect(page.locator(".row")).to_have_count(2)
    expect(page.locator(".totals")).to_contain_text("2 emails match")
    page.get_by_role("button", name="Delete results").click()
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_role("heading")).to_have_text(f"Delete 2 emails matching tag:live-{unique}?")
    dialog.get_by_role("button", name="Delete 2 emails").click()
    expect(page.locator(".empty h2")).to_have_text(f"No email matches tag:live-{unique}")
    assert [e["subject"] for e in api.get("/api/v1/emails/", params={"search": unique}).json()["results"]] == [
        f"Unrelated {unique}"]


def test_a_bad_search_shows_why_and_leaves_the_bulk_buttons_off(sandbox, page):
    from playwright.sync_api import expect

    page.goto(f"{sandbox.http_url}/?q=" + "from%3A")
    expect(page.get_by_role("alert")).to_have_text("from: needs a value right after the colon, as in from:billing.")
    expect(page.get_by_role("button", name="Delete results")).to_be_disabled()
    expect(page.get_by_role("button", name="Mark results read")).to_be_disabled()


def test_release_asks_naming_the_upstream_and_recipients_before_sending(launch, browser, smtp_sink):
    from playwright.sync_api import expect

    box = launch("--relay", smtp_sink.url, "--relay-mode", "manual", "--relay-deny", "*@blocked.example")
    with box.client() as api:
        email = send_api(api, subject="Release me", to=["dev@example.com", "x@blocked.example"])
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    try:
        page.goto(f"{box.http_url}/emails/{email['id']}")
        relay = page.locator("[data-relay]")
        relay.get_by_role("button", name="Release").click()
        dialog = page.get_by_role("dialog")
        expect(dialog.get_by_role("heading")).to_have_text("Send this email to 127.0.0.1?")
        expect(dialog).to_contain_text(f"Upstream server: {smtp_sink.url}")
        expect(dialog).to_contain_text("Recipients (1): dev@example.com")
        expect(dialog).to_contain_text("Not relayed (--relay-deny): x@blocked.example")
        dialog.get_by_role("button", name="Cancel").click()
        expect(dialog).to_have_count(0)
        expect(relay).to_contain_text("Not relayed yet")
        assert smtp_sink.handler.messages == []
        relay.get_by_role("button", name="Release").click()
        page.get_by_role("dialog").get_by_role("button", name="Send to 127.0.0.1").click()
        expect(page.locator("[data-relay] .relay-state .status")).to_have_text("relayed")
        expect(page.locator("[data-release-result]")).to_contain_text("Relayed: 250")
        assert smtp_sink.wait_for(1)[0].rcpt_tos == ["dev@example.com"]
    finally:
        context.close()


@pytest.mark.long(seconds=5)
def test_screenshots_of_the_confirmations(launch, browser):
    """For people to look at: a search with its delete confirmation, and Release's, on a
    laptop and a phone, light and dark (GCLAP_SCREENSHOT_DIR keeps them)."""
    box = launch("--relay", "smtp://smtp.mailhost.example:587", "--relay-mode", "manual")
    folder = Path(os.environ.get("GCLAP_SCREENSHOT_DIR") or tempfile.mkdtemp(prefix="gclap-inbox-shots-"))
    folder.mkdir(parents=True, exist_ok=True)
    with box.client() as api:
        for week in range(1, 4):
            send_api(api, subject=f"Acme weekly #{week}: what shipped", from_email="Acme News <news@acme.example>",
                     to=["Ana Lima <ana@example.com>"], tags=["newsletter"], text=f"Issue {week}: new dashboards.")
        send_api(api, subject="Reset your password", from_email="security@acme.example", to=["jo@example.com"])
        email = rich_email(api, "Your receipt for order #42")
    shots: list[str] = []
    context = browser.new_context()  # one tab, set to each size and scheme in turn
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    try:
        for width, height in ((1366, 900), (390, 844)):
            page.set_viewport_size({"width": width, "height": height})
            for scheme in ("light", "dark"):
                page.emulate_media(color_scheme=scheme)
                suffix = f"{width}-{scheme}.jpg"
                page.goto(f"{box.http_url}/?q=tag:newsletter")
                page.locator(".row").first.wait_for()
                page.screenshot(path=str(folder / f"inbox-search-{suffix}"))
                page.get_by_role("button", name="Delete results").click()
                page.get_by_role("dialog").get_by_role("button", name="Cancel").wait_for()
                page.screenshot(path=str(folder / f"inbox-confirm-{suffix}"))
                page.goto(f"{box.http_url}/emails/{email['id']}")
                page.locator("[data-relay]").get_by_role("button", name="Release").click()
                page.get_by_role("dialog").get_by_role("button", name=re.compile("^Send to")).wait_for()
                page.screenshot(path=str(folder / f"release-confirm-{suffix}"))
                shots += [f"inbox-search-{suffix}", f"inbox-confirm-{suffix}", f"release-confirm-{suffix}"]
    finally:
        context.close()
    print(f"\nConfirmation screenshots in {folder}")
    for name in shots:
        assert (folder / name).stat().st_size > 10_000
