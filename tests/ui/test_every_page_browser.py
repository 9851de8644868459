"""Every page of the web UI (tests/support/ui_pages.py lists them), filled with a team's
realistic data, loaded at a laptop's and a phone's size, in light and dark: nothing makes the
page or a control scroll sideways, the parts a person looks for are on screen, the scheme drawn is
the one asked for with readable text, every navigation entry can be reached, no script fails, and
a screenshot of each is kept for people to look at (the folder is printed;
GCLAP_SCREENSHOT_DIR chooses it). axe-core finds no accessibility violation on any page in
either scheme, run once per page and size in light and dark in turn (`axe_scheme`); on the API
reference, once per structure of its route sections (`UiPage.one_per_structure`)."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any, Iterator

import pytest
from axe import axe_source, describe, violations
from browser_support import WAIT_MS
from sandbox_process import start_sandbox
from ui_layout import (AS_LOADED, SCHEMES, SIZES, assert_colour_scheme, assert_controls_on_screen,
                       assert_fits_the_width, assert_navigation_reachable, assert_on_screen)
from ui_pages import PAGES, UiPage
from ui_showcase import fill
from webhook_receiver import Receiver

PASSWORD = "correct horse battery staple"  # signed in: the Sign out button is part of every page


@pytest.fixture(scope="module")
def showcase(browser) -> Iterator[dict[str, Any]]:
    """A password-protected sandbox full of data, and a signed-in browser session for it."""
    from playwright.sync_api import expect

    expect.set_options(timeout=WAIT_MS)
    receiver = Receiver()
    box = start_sandbox("--ui-password", PASSWORD)
    try:
        with box.client() as api:
            ids = fill(api, receiver)
        context = browser.new_context()
        page = context.new_page()
        page.goto(f"{box.http_url}/login")
        page.fill("input[type=password]", PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(f"{box.http_url}/")
        session = context.storage_state()
        context.close()
        folder = Path(os.environ.get("GCLAP_SCREENSHOT_DIR") or tempfile.mkdtemp(prefix="gclap-every-page-"))
        folder.mkdir(parents=True, exist_ok=True)
        yield {"box": box, "ids": ids, "session": session, "folder": folder}
        print(f"\nScreenshots of every page in {folder}")
    finally:
        box.stop()
        receiver.stop()


@pytest.fixture(scope="module")
def signed_in_tab(browser, showcase) -> Iterator[dict[str, Any]]:
    """One signed-in tab, reused from page to page (a person's browser keeps its tab; a new
    context per check would only start a new renderer each time)."""
    from playwright.sync_api import expect

    expect.set_options(timeout=WAIT_MS)
    context = browser.new_context(color_scheme=SCHEMES[0], storage_state=showcase["session"], device_scale_factor=1)
    # axe is put in every page this tab loads, once for the context, rather than sent with each
    # check (650 kB over the DevTools connection each time); as `violations` would, it runs
    # outside the page's Content-Security-Policy, and only defines `window.axe` until asked.
    context.add_init_script(script=axe_source())
    tab = context.new_page()
    tab.set_default_timeout(WAIT_MS)
    errors: list[str] = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    yield {"page": tab, "errors": errors}
    context.close()


def axe_scheme(ui_page: UiPage, size: str) -> str:
    """The scheme axe runs in for this page at this size: light and dark in turn, so each page is
    checked by axe in both schemes and at both sizes, and every size meets every scheme across the
    pages (the navigation and page frame they share). The layout checks run in every scheme."""
    turn = [name for name, _ in SIZES].index(size) + PAGES.index(ui_page)
    return SCHEMES[turn % len(SCHEMES)]


@pytest.mark.long(seconds=4)  # each of the 34 pages; the whole file weighs less than a share
@pytest.mark.parametrize("ui_page", PAGES, ids=[p.name for p in PAGES])
def test_the_page_has_no_accessibility_violations_and_fits_the_screen(signed_in_tab, showcase, ui_page: UiPage):
    """Loaded once per size and drawn in each scheme in turn: the pages follow the colour-scheme
    media query as it changes (their styles are media queries; the charts redraw on its change
    event), as a person's browser does when the system switches to dark."""
    from playwright.sync_api import expect

    page, errors = signed_in_tab["page"], signed_in_tab["errors"]
    errors.clear()
    for size, (width, height) in SIZES:
        page.emulate_media(color_scheme=SCHEMES[0])
        page.set_viewport_size({"width": width, "height": height})
        page.goto(showcase["box"].http_url + ui_page.path.format(**showcase["ids"]))  # loaded at this size
        expect(page.locator(ui_page.ready).first, f"{ui_page.name}'s content").to_be_visible()
        for frame in page.frames[1:]:  # an email's HTML preview
            frame.wait_for_load_state()
        for scheme in SCHEMES:
            page.emulate_media(color_scheme=scheme)
            page.evaluate(AS_LOADED)  # the checks in the scheme before scrolled and opened the menu
            page.screenshot(path=str(showcase["folder"] / f"{ui_page.name}-{size}-{scheme}.jpg"),  # JPEG: a third cheaper than PNG
                            full_page=ui_page.full_page)
            for selector, what in ui_page.shows:
                assert_on_screen(page, page.locator(selector).first, what)
            assert_colour_scheme(page, scheme)
            assert_fits_the_width(page)
            assert_controls_on_screen(page)
            assert_navigation_reachable(page)
            assert not errors, f"JavaScript errors on {ui_page.name} ({size}, {scheme}): {errors}"
        scheme = axe_scheme(ui_page, size)
        page.emulate_media(color_scheme=scheme)
        found = violations(page, ui_page.one_per_structure)  # last: on the API reference it empties sections
        assert not found, f"axe finds on {ui_page.name} ({size}, {scheme}):\n{describe(found)}"


def test_on_a_phone_the_menu_button_shows_every_navigation_entry_and_works_by_keyboard(page, showcase):
    from playwright.sync_api import expect

    page.context.add_cookies(showcase["session"]["cookies"])
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{showcase['box'].http_url}/webhooks")
    menu = page.get_by_role("button", name="Menu")
    nav = page.get_by_role("navigation", name="Main")
    expect(menu).to_have_attribute("aria-expanded", "false")
    expect(nav.get_by_role("link", name="Settings")).to_be_hidden()

    menu.focus()
    page.keyboard.press("Enter")
    expect(menu).to_have_attribute("aria-expanded", "true")
    for name in ("Inbox", "Contacts", "Campaigns", "Templates", "Analytics", "Automation", "Deliverability",
                 "Webhooks", "Settings", "Docs"):
        expect(nav.get_by_role("link", name=name, exact=name != "Inbox")).to_be_visible()
    expect(nav.get_by_role("button", name="Sign out")).to_be_visible()
    expect(nav.get_by_role("link", name="Webhooks")).to_have_attribute("aria-current", "page")
    assert_navigation_reachable(page)
    found = violations(page)
    assert not found, f"axe finds with the menu open:\n{describe(found)}"

    page.keyboard.press("Tab")  # from the button into the open menu
    expect(nav.get_by_role("link", name="Inbox")).to_be_focused()
    page.keyboard.press("Escape")
    expect(menu).to_have_attribute("aria-expanded", "false")
    expect(menu).to_be_focused()
    expect(nav.get_by_role("link", name="Settings")).to_be_hidden()

    menu.click()
    nav.get_by_role("link", name="Settings").click()
    expect(page).to_have_url(f"{showcase['box'].http_url}/settings/api-keys")
    expect(page.get_by_role("button", name="Revoke")).to_be_in_viewport()


def test_a_disabled_endpoints_waiting_delivery_shows_paused_not_a_next_try_in_the_past(page, showcase):
    from playwright.sync_api import expect

    page.context.add_cookies(showcase["session"]["cookies"])
    paused = showcase["ids"]["paused_delivery"]
    page.goto(f"{showcase['box'].http_url}/webhooks")
    row = page.locator(f"#delivery-rows tr[data-delivery='{paused}']")
    expect(row.locator(".status")).to_have_text("paused")
    expect(row).to_contain_text("endpoint disabled: tried again once re-enabled")
    expect(row.locator("time[datetime]")).to_have_count(1)  # when it was created; no next try

    row.get_by_role("link").click()
    facts = page.locator("[data-delivery-facts]")
    expect(facts.locator("[data-delivery-status]")).to_have_text("paused")
    expect(facts.locator("[data-paused-note]")).to_have_text(
        "the endpoint is disabled: this delivery waits until it is re-enabled, then is tried again "
        "(at once if its next try has passed)")
    expect(facts.locator("dt", has_text="Next try")).to_have_count(0)
    expect(page.locator(".notice-warn")).to_contain_text("The endpoint is disabled")


@pytest.mark.parametrize("size", [name for name, _ in SIZES])
def test_the_dialogs_have_no_accessibility_violations(browser, showcase, size: str):
    """What only shows once asked for: the new-key and new-endpoint forms, and a confirmation."""
    from playwright.sync_api import expect

    width, height = dict(SIZES)[size]
    context = browser.new_context(viewport={"width": width, "height": height}, storage_state=showcase["session"])
    page = context.new_page()
    try:
        for path, button, dialog in [("/settings/api-keys", "Create new key", "#create-key"),
                                     ("/reports/{report}", "Delete", "#confirm-dialog"),
                                     ("/webhooks", "Add endpoint", "#endpoint-dialog")]:
            page.goto(showcase["box"].http_url + path.format(**showcase["ids"]))
            page.get_by_role("button", name=button).first.click()
            expect(page.locator(dialog)).to_be_visible()
            found = violations(page)
            assert not found, f"axe finds in {dialog} on {path} ({size}):\n{describe(found)}"
            page.keyboard.press("Escape")
            expect(page.locator(dialog)).to_be_hidden()
    finally:
        context.close()
