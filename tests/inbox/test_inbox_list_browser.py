"""The inbox list in a real browser, at desktop and phone sizes: selecting emails (click,
shift-click, ctrl-click, every result) and acting on them, tags, searching and paging without a
reload, the remembered page size, coming back to the row you opened, the shortcuts help, and
read state. Screenshots at 1280 and 390 wide, light and dark."""
from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path
from typing import Iterator

import pytest
from browser_support import WAIT_MS
from helpers import wait_until
from sandbox_process import start_sandbox
from ui_helpers import send_api
from ui_layout import assert_colour_scheme, assert_fits_the_width, assert_on_screen, visit_and_check

SIZES = {"desktop": (1280, 860), "phone": (390, 844)}


def at_size(page, size: str) -> None:
    width, height = SIZES[size]
    page.set_viewport_size({"width": width, "height": height})


def row(page, subject: str):
    return page.locator(".row", has=page.get_by_text(subject, exact=True))


def tick(page, subject: str, **click) -> None:
    row(page, subject).locator("[data-select]").click(**click)


def is_read(api, email: dict) -> bool:
    return api.get(f"/api/v1/emails/{email['id']}/").json()["is_read"]


def tags_of(api, email: dict) -> list[str]:
    return api.get(f"/api/v1/emails/{email['id']}/").json()["tags"]


def mark_no_reload(page) -> None:
    """A flag on the window: it survives only while the page is not loaded again."""
    page.evaluate("window.__stillTheSamePage = true")


def assert_not_reloaded(page) -> None:
    assert page.evaluate("window.__stillTheSamePage === true"), "the page was loaded again"


@pytest.mark.parametrize("size", SIZES)
def test_click_shift_click_and_ctrl_click_select_rows_that_are_then_marked_read_and_unread(
        sandbox, api, page, unique, size):
    from playwright.sync_api import expect

    at_size(page, size)
    sent = {letter: send_api(api, subject=f"{letter} {unique}", tags=[f"sel-{unique}"]) for letter in "abcde"}
    page.goto(f"{sandbox.http_url}/?q=tag:sel-{unique}")
    mark_no_reload(page)
    bar = page.get_by_role("toolbar", name="Selected emails")
    expect(bar.get_by_role("button", name="Mark read")).to_be_hidden()  # nothing to act on yet
    expect(bar.get_by_role("button", name=re.compile("^Select all"))).to_be_hidden()
    tick(page, f"e {unique}")
    tick(page, f"c {unique}", modifiers=["Shift"])  # e, d and c
    row(page, f"a {unique}").locator(".row-link").click(modifiers=["Control"])  # one more, not opened
    expect(page.locator("[data-selection-count]")).to_have_text("4 selected")
    expect(page.locator(".row.selected")).to_have_count(4)
    assert page.url.endswith(f"/?q=tag:sel-{unique}")
    bar.get_by_role("button", name="Mark read").click()
    expect(row(page, f"b {unique}")).to_have_class(re.compile(r"\bunread\b"))
    expect(page.locator(".row.unread")).to_have_count(1)
    assert [is_read(api, sent[x]) for x in "abcde"] == [True, False, True, True, True]
    expect(page.locator(".row.selected")).to_have_count(4)  # the selection stays for the next action
    bar.get_by_role("button", name="Mark unread").click()
    expect(page.locator(".row.unread")).to_have_count(5)
    assert not any(is_read(api, sent[x]) for x in "abcde")
    page.keyboard.press("Escape")
    expect(page.locator(".row.selected")).to_have_count(0)
    assert_not_reloaded(page)


def test_shift_click_unticks_a_range_and_x_ticks_the_focused_row(sandbox, api, page, unique):
    from playwright.sync_api import expect

    for letter in "abcd":
        send_api(api, subject=f"{letter} {unique}", tags=[f"rng-{unique}"])
    page.goto(f"{sandbox.http_url}/?q=tag:rng-{unique}")
    page.locator("#select-page").check()
    expect(page.locator(".row.selected")).to_have_count(4)
    tick(page, f"d {unique}")  # off
    tick(page, f"b {unique}", modifiers=["Shift"])  # d, c and b off with it
    expect(page.locator(".row.selected")).to_have_count(1)
    expect(page.locator("#select-page")).not_to_be_checked()
    assert page.locator("#select-page").evaluate("box => box.indeterminate")
    row(page, f"c {unique}").locator(".row-link").focus()
    page.keyboard.press("x")
    expect(row(page, f"c {unique}")).to_have_class(re.compile(r"\bselected\b"))
    expect(page.locator("[data-selection-count]")).to_have_text("2 selected")


@pytest.mark.parametrize("size", SIZES)
def test_select_all_results_tags_every_page_of_a_search(sandbox, api, page, unique, size):
    from playwright.sync_api import expect

    at_size(page, size)
    for n in range(55):  # more than a page of 50
        send_api(api, subject=f"Bulk {n} {unique}", tags=[f"many-{unique}"])
    page.goto(f"{sandbox.http_url}/?q=tag:many-{unique}&size=50")
    expect(page.locator(".row")).to_have_count(50)
    page.locator("#select-page").check()
    page.get_by_role("button", name="Select all 55 results").click()
    expect(page.locator("[data-selection-count]")).to_have_text("All 55 emails matching this search are selected")
    page.get_by_role("button", name="Add tag…").click()
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_role("heading")).to_have_text(f"Add a tag to all 55 emails matching tag:many-{unique}")
    dialog.get_by_label("Tag").fill(f"done-{unique}")
    dialog.get_by_role("button", name="Add tag").click()
    expect(page.locator(".tag-list [data-tag='done-%s']" % unique)).to_contain_text("55")
    assert api.get("/api/v1/emails/", params={"tag": f"done-{unique}"}).json()["count"] == 55


def test_remove_tag_takes_it_off_the_selected_rows_only(sandbox, api, page, unique):
    from playwright.sync_api import expect

    first = send_api(api, subject=f"one {unique}", tags=[f"t-{unique}", "keep"])
    second = send_api(api, subject=f"two {unique}", tags=[f"t-{unique}"])
    page.goto(f"{sandbox.http_url}/?q=tag:t-{unique}")
    tick(page, f"one {unique}")
    page.get_by_role("button", name="Remove tag…").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_role("button", name="Remove tag").click()  # nothing typed: the dialog says so
    expect(dialog.locator(".field-error")).to_have_text("Type a tag.")
    dialog.get_by_label("Tag").fill(f"T-{unique}")
    dialog.get_by_role("button", name="Remove tag").click()
    expect(page.locator(".row")).to_have_count(1)  # the search for the tag no longer finds it
    assert tags_of(api, first) == ["keep"] and tags_of(api, second) == [f"t-{unique}"]


@pytest.mark.parametrize("size", SIZES)
def test_delete_selected_asks_first_and_removes_only_those(sandbox, api, page, unique, size):
    from playwright.sync_api import expect

    at_size(page, size)
    gone = send_api(api, subject=f"gone {unique}", tags=[f"del-{unique}"])
    kept = send_api(api, subject=f"kept {unique}", tags=[f"del-{unique}"])
    page.goto(f"{sandbox.http_url}/?q=tag:del-{unique}")
    tick(page, f"gone {unique}")
    page.get_by_role("toolbar", name="Selected emails").get_by_role("button", name="Delete").click()
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_role("heading")).to_have_text("Delete the selected email?")
    expect(dialog.get_by_role("button", name="Cancel")).to_be_focused()
    dialog.get_by_role("button", name="Cancel").click()
    assert api.get(f"/api/v1/emails/{gone['id']}/").status_code == 200
    page.keyboard.press("#")  # the shortcut asks the same question
    page.get_by_role("dialog").get_by_role("button", name="Delete 1 email").click()
    expect(page.locator(".row")).to_have_count(1)
    expect(row(page, f"kept {unique}")).to_be_visible()
    assert api.get(f"/api/v1/emails/{gone['id']}/").status_code == 404
    assert api.get(f"/api/v1/emails/{kept['id']}/").status_code == 200


def test_release_sends_the_selected_emails_through_the_relay_it_names(launch, browser, smtp_sink):
    from playwright.sync_api import expect

    box = launch("--relay", smtp_sink.url, "--relay-mode", "manual")
    with box.client() as api:
        send_api(api, subject="to ana", to=["ana@example.com"])
        send_api(api, subject="to bo", to=["bo@example.com"])
        send_api(api, subject="stays", to=["cy@example.com"])
    context = browser.new_context(viewport={"width": 1280, "height": 860})
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    try:
        page.goto(box.http_url + "/")
        tick(page, "to ana")
        tick(page, "to bo")
        page.get_by_role("button", name="Release…").click()
        dialog = page.get_by_role("dialog")
        expect(dialog).to_contain_text(smtp_sink.url)
        dialog.get_by_role("button", name="Release 2 emails").click()
        expect(page.locator(".toast")).to_contain_text("2 emails released")
        assert sorted(m.rcpt_tos[0] for m in smtp_sink.wait_for(2)) == ["ana@example.com", "bo@example.com"]
        expect(row(page, "to ana").locator(".relay-relayed")).to_be_visible()
    finally:
        context.close()


def test_the_inbox_offers_no_release_without_a_relay(sandbox, api, page, unique):
    from playwright.sync_api import expect

    send_api(api, subject=f"norelay {unique}")
    page.goto(f"{sandbox.http_url}/?q=norelay")
    tick(page, f"norelay {unique}")
    expect(page.get_by_role("button", name="Mark read")).to_be_visible()
    expect(page.get_by_role("button", name="Release…")).to_have_count(0)


@pytest.mark.parametrize("size", SIZES)
def test_the_tag_list_counts_filters_and_renames_without_reloading(launch, browser, size):
    from playwright.sync_api import expect

    box = launch()
    with box.client() as api:
        for n in range(3):
            send_api(api, subject=f"promo {n}", tags=["promo"])
        send_api(api, subject="receipt", tags=["billing", "Promo"])
    context = browser.new_context(viewport=dict(zip(("width", "height"), SIZES[size])))
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    try:
        page.goto(box.http_url + "/")
        tags = page.get_by_role("navigation", name="Tags")
        # Any case counts as one tag, shown as most emails spell it.
        expect(tags.get_by_role("link")).to_have_text([re.compile(r"^billing\W+1 email$"), re.compile(r"^promo\W+4 emails$")])
        mark_no_reload(page)
        tags.get_by_role("link", name=re.compile("^promo")).click()
        expect(page).to_have_url(re.compile(r"/\?q=tag%3Apromo$"))
        expect(page.locator(".row")).to_have_count(4)
        expect(page.locator("#q")).to_have_value("tag:promo")
        page.get_by_role("button", name="Rename a tag…").click()
        dialog = page.get_by_role("dialog")
        dialog.get_by_label("Tag", exact=True).select_option("promo")
        dialog.get_by_label("New name").fill("sale")
        dialog.get_by_role("button", name="Rename").click()
        expect(page.get_by_role("navigation", name="Tags").get_by_role("link")).to_have_text(
            [re.compile(r"^billing\W+1 email$"), re.compile(r"^sale\W+4 emails$")])
        expect(page.locator("#q")).to_have_value("tag:sale")  # the filter follows the new name
        expect(page.locator(".row")).to_have_count(4)
        assert_not_reloaded(page)
        assert_fits_the_width(page)
        with box.client() as api:
            assert api.get("/api/v1/emails/", params={"tag": "sale"}).json()["count"] == 4
            assert api.get("/api/v1/emails/", params={"tag": "promo"}).json()["count"] == 0
    finally:
        context.close()


def test_searching_and_paging_update_the_address_and_back_and_forward_work(launch, browser):
    from playwright.sync_api import expect

    box = launch()
    with box.client() as api:
        for n in range(30):
            send_api(api, subject=f"Report {n}", tags=["report"])
        send_api(api, subject="Invoice 1", tags=["invoice"])
    context = browser.new_context(viewport={"width": 1280, "height": 860})
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    try:
        page.goto(box.http_url + "/?size=25")
        mark_no_reload(page)
        page.locator("#q").fill("tag:invoice")
        page.locator("#q").press("Enter")
        expect(page).to_have_url(re.compile(r"/\?q=tag%3Ainvoice$"))
        expect(page.locator(".row")).to_have_count(1)
        expect(page.get_by_role("heading", level=1)).to_have_text("Search results")
        page.go_back()
        expect(page).to_have_url(re.compile(r"/\?size=25$"))
        expect(page.locator(".row")).to_have_count(25)
        expect(page.locator("#q")).to_have_value("")
        page.go_forward()
        expect(page.locator(".row")).to_have_count(1)
        expect(page.locator("#q")).to_have_value("tag:invoice")
        page.go_back()
        expect(page.locator(".row")).to_have_count(25)
        page.get_by_role("link", name="Older ›").click()
        expect(page.locator(".row")).to_have_count(6)
        expect(page.locator(".pager")).to_contain_text("26–31 of 31")
        page.go_back()
        expect(page.locator(".row")).to_have_count(25)
        page.go_forward()
        expect(page.locator(".row")).to_have_count(6)
        assert_not_reloaded(page)
    finally:
        context.close()


@pytest.mark.parametrize("size", SIZES)
def test_the_page_size_chosen_is_remembered(launch, browser, size):
    from playwright.sync_api import expect

    box = launch()
    with box.client() as api:
        for n in range(30):
            send_api(api, subject=f"Mail {n}")
    context = browser.new_context(viewport=dict(zip(("width", "height"), SIZES[size])))
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    try:
        page.goto(box.http_url + "/")
        expect(page.locator(".row")).to_have_count(30)
        page.get_by_label("Per page").select_option("25")
        expect(page.locator(".row")).to_have_count(25)
        expect(page.get_by_label("Per page")).to_be_focused()
        page.goto(box.http_url + "/")  # a new visit
        expect(page.locator(".row")).to_have_count(25)
        expect(page.get_by_label("Per page")).to_have_value("25")
    finally:
        context.close()
    fresh = browser.new_context()  # another browser profile has its own choice
    try:
        other = fresh.new_page()
        other.goto(box.http_url + "/")
        expect(other.locator(".row")).to_have_count(30)
    finally:
        fresh.close()


def test_on_a_phone_every_row_shows_its_status_and_tags(sandbox, api, page, unique):
    from playwright.sync_api import expect

    at_size(page, "phone")
    send_api(api, subject=f"Phone {unique}", tags=[f"ph-{unique}", "second"])
    page.goto(f"{sandbox.http_url}/?q=tag:ph-{unique}")
    the_row = row(page, f"Phone {unique}")
    expect(the_row.locator(".status")).to_have_text(re.compile("sent|delivered", re.I))
    for what, locator in (("status", the_row.locator(".status")), ("first tag", the_row.locator(".tag").first),
                          ("second tag", the_row.locator(".tag").nth(1)), ("checkbox", the_row.locator("[data-select]"))):
        assert_on_screen(page, locator, f"the row's {what}")
    assert_fits_the_width(page)


@pytest.fixture(scope="module")
def forty_emails() -> Iterator:
    """A sandbox with forty emails, shared by the ways back to the list: each only opens one and
    comes back, which changes no row's place."""
    box = start_sandbox()
    try:
        with box.client() as api:
            for n in range(40):
                send_api(api, subject=f"Message {n:02d}")
        yield box
    finally:
        box.stop()


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("way", ["u", "back link", "browser back"])
def test_returning_from_an_email_keeps_the_scroll_position_and_focus_on_that_row(forty_emails, browser, size, way):
    from playwright.sync_api import expect

    box = forty_emails
    context = browser.new_context(viewport=dict(zip(("width", "height"), SIZES[size])))
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    try:
        page.goto(box.http_url + "/?size=50")
        target = row(page, "Message 08").locator(".row-link")  # far down the list
        target.scroll_into_view_if_needed()
        scrolled = page.evaluate("window.scrollY")
        assert scrolled > 300
        target.click()
        expect(page.locator("article.email")).to_be_visible()
        page.wait_for_load_state()  # its shortcuts are bound (a busy machine draws the page before its scripts run)
        if way == "u":
            page.keyboard.press("u")
        elif way == "back link":
            page.get_by_role("link", name="Back to the inbox").click()
        else:
            page.go_back()
        expect(page.locator(".inbox")).to_be_visible()
        expect(row(page, "Message 08").locator(".row-link")).to_be_focused()
        expect(page).to_have_url(re.compile(r"/\?size=50$"))
        assert abs(page.evaluate("window.scrollY") - scrolled) < 60
    finally:
        context.close()


@pytest.mark.parametrize("size", SIZES)
def test_the_shortcuts_help_lists_every_shortcut_including_u(sandbox, api, page, unique, size):
    from playwright.sync_api import expect

    at_size(page, size)
    email = send_api(api, subject=f"Keys {unique}")
    page.goto(f"{sandbox.http_url}/emails/{email['id']}")
    page.keyboard.press("?")
    dialog = page.get_by_role("dialog", name="Keyboard shortcuts")
    expect(dialog).to_be_visible()
    entries = dict(zip(dialog.locator("dt").all_inner_texts(), dialog.locator("dd").all_inner_texts()))
    assert entries["u"] == "Back to the inbox, where you left it"
    for keys in ("?", "/", "j / k", "x", "Esc", "Shift+I / Shift+U", "# or Delete"):
        assert keys in entries, (keys, entries)
    dialog.get_by_role("button", name="Close").click()
    expect(dialog).to_be_hidden()
    page.goto(f"{sandbox.http_url}/?q=keys")
    page.get_by_role("button", name="Shortcuts").click()
    expect(page.get_by_role("dialog", name="Keyboard shortcuts")).to_be_visible()
    assert_on_screen(page, page.get_by_role("dialog").get_by_role("button", name="Close"), "the Close button")


def test_opening_an_email_marks_it_read_and_unread_rows_are_bold_with_the_count_in_the_title(launch, browser):
    from playwright.sync_api import expect

    box = launch()
    with box.client() as api:
        send_api(api, subject="Read me")
        send_api(api, subject="Leave me")
    context = browser.new_context(viewport={"width": 1280, "height": 860})
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    try:
        page.goto(box.http_url + "/")
        expect(page).to_have_title(re.compile(r"^\(2\) Inbox"))
        weight = row(page, "Read me").locator(".subject").evaluate("el => getComputedStyle(el).fontWeight")
        assert int(weight) >= 600
        row(page, "Read me").locator(".row-link").click()
        expect(page.locator("article.email")).to_be_visible()
        page.wait_for_load_state()  # the shortcuts are in place
        page.keyboard.press("u")
        expect(row(page, "Read me")).not_to_have_class(re.compile(r"\bunread\b"))
        expect(row(page, "Leave me")).to_have_class(re.compile(r"\bunread\b"))
        expect(page).to_have_title(re.compile(r"^\(1\) Inbox"))
        weight = row(page, "Read me").locator(".subject").evaluate("el => getComputedStyle(el).fontWeight")
        assert int(weight) < 600
    finally:
        context.close()


@pytest.mark.long(seconds=5)
def test_screenshots_of_the_inbox_at_1280_and_390_in_light_and_dark(launch, browser):
    from playwright.sync_api import expect

    box = launch()
    folder = Path(os.environ.get("GCLAP_SCREENSHOT_DIR") or tempfile.mkdtemp(prefix="gclap-ui-shots-"))
    folder.mkdir(parents=True, exist_ok=True)
    with box.client() as api:
        people = ["Ana Lima <ana@shop.example>", "Billing <billing@shop.example>", "Bo <bo@example.com>"]
        for n in range(14):
            send_api(api, subject=["Your receipt", "Welcome aboard", "Password reset", "Weekly digest"][n % 4]
                     + f" #{n}", from_email=people[n % 3], to=[f"user{n}+signup@example.com"],
                     tags=[["billing"], ["welcome", "onboarding"], ["security"], []][n % 4],
                     simulate=[["opened"], [], ["bounced"], []][n % 4])
        # Each hard bounce drops a delivery report into the inbox a moment later: once they are
        # in, no row arrives between the clicks below and shifts the rows they aim at.
        wait_until(lambda: api.get("/api/v1/emails/", params={"page_size": 1}).json()["count"] == 14 + 3,
                   "the three bounce reports in the inbox")
        first = api.get("/api/v1/emails/", params={"page_size": 3}).json()["results"]
        api.post("/api/v1/emails/bulk/read/", json={"ids": [first[1]["id"], first[2]["id"]]})
    context = browser.new_context(viewport={"width": 1280, "height": 860}, device_scale_factor=1)
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    try:
        for scheme in ("light", "dark"):
            page.emulate_media(color_scheme=scheme)
            for width, height in ((1280, 860), (390, 844)):
                page.set_viewport_size({"width": width, "height": height})
                shot = folder / f"inbox-list-{width}-{scheme}.jpg"
                visit_and_check(page, box.http_url + "/", shot,
                                (page.locator(".row").first, "the newest row"),
                                (page.get_by_role("navigation", name="Tags"), "the tag list"))
                assert_colour_scheme(page, scheme)
                page.locator(".row [data-select]").nth(1).click()
                page.locator(".row [data-select]").nth(3).click(modifiers=["Shift"])
                expect(page.locator("[data-selection-count]")).to_have_text("3 selected")
                assert_on_screen(page, page.get_by_role("button", name="Add tag…"), "the Add tag button")
                page.screenshot(path=str(folder / f"inbox-selection-{width}-{scheme}.jpg"), full_page=False)
    finally:
        context.close()
    print(f"\nInbox screenshots in {folder}")
