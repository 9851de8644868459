"""Settings in a real browser: the theme (light, dark, follow the system) drawn from the first
paint on every page, the time zone shown times use, opt-in notifications for new mail, and the
chaos rules edited in the page, at desktop and phone sizes."""
from __future__ import annotations

import smtplib

import pytest
from browser_support import wait_for_script
from helpers import wait_until
from ui_helpers import send_api
from ui_layout import SIZES, assert_colour_scheme, assert_fits_the_width, luminance

SIZE_IDS = [name for name, _ in SIZES]
# Notes, when the <body> element first exists, which theme the page has and how dark it is drawn.
FIRST_PAINT_PROBE = """
new MutationObserver((changes, observer) => {
  if (!document.body) return;
  observer.disconnect();
  window.__atFirstBody = { theme: document.documentElement.dataset.theme || "",
                           background: getComputedStyle(document.body).backgroundColor };
}).observe(document, { childList: true, subtree: true });
"""
# Keeps a record of every notification the page raises (the real one is raised too).
NOTIFICATION_RECORDER = """
(() => {
  const Real = window.Notification;
  if (!Real) return;
  window.__notes = [];
  class Recording extends Real {
    constructor(title, options) { super(title, options); window.__notes.push({ title, body: options && options.body }); }
  }
  Object.defineProperty(window, "Notification", { value: Recording, configurable: true });
})();
"""


def _size(page, size: str) -> None:
    width, height = dict(SIZES)[size]
    page.set_viewport_size({"width": width, "height": height})


@pytest.mark.parametrize("size", SIZE_IDS)
def test_a_chosen_theme_is_drawn_from_the_first_paint_on_every_page_and_system_follows_the_device(
        page, own_sandbox, size):
    _size(page, size)
    page.emulate_media(color_scheme="light")
    page.add_init_script(FIRST_PAINT_PROBE)
    page.goto(f"{own_sandbox.http_url}/settings/preferences")
    page.get_by_label("Dark").check()
    assert_colour_scheme(page, "dark")  # at once, on this page
    for path in ("/contacts", "/", "/settings/chaos"):
        page.goto(f"{own_sandbox.http_url}{path}")
        first = page.evaluate("window.__atFirstBody")
        assert first["theme"] == "dark" and luminance(first["background"]) < 0.1, (path, first)  # no light flash
        assert_colour_scheme(page, "dark")
        assert_fits_the_width(page)

    page.goto(f"{own_sandbox.http_url}/settings/preferences")
    page.get_by_label("Light").check()
    page.emulate_media(color_scheme="dark")
    assert_colour_scheme(page, "light")  # the choice wins over the device
    page.get_by_label("Follow the system").check()
    assert_colour_scheme(page, "dark")
    page.emulate_media(color_scheme="light")
    assert_colour_scheme(page, "light")
    page.goto(f"{own_sandbox.http_url}/contacts")
    assert page.evaluate("window.__atFirstBody.theme") == ""


def test_times_are_shown_in_the_chosen_time_zone(page, own_sandbox):
    from playwright.sync_api import expect

    with own_sandbox.client() as api:
        email = send_api(api, subject="What time is it")
    page.goto(f"{own_sandbox.http_url}/settings/preferences")
    page.get_by_label("Show times in").select_option("Asia/Tokyo")
    expect(page.locator("[data-zone-now]")).to_contain_text("GMT+9")
    page.goto(f"{own_sandbox.http_url}/emails/{email['id']}")
    expect(page.locator("time[data-long]")).to_contain_text("GMT+9")
    page.goto(f"{own_sandbox.http_url}/settings/preferences")
    expect(page.get_by_label("Show times in")).to_have_value("Asia/Tokyo")
    page.get_by_label("Show times in").select_option("")
    page.goto(f"{own_sandbox.http_url}/emails/{email['id']}")
    expect(page.locator("time[data-long]")).not_to_contain_text("GMT+9")  # the browser's own zone again


def test_new_mail_raises_a_browser_notification_once_turned_on(page, own_sandbox, unique):
    from playwright.sync_api import expect

    page.context.grant_permissions(["notifications"], origin=own_sandbox.http_url)
    page.add_init_script(NOTIFICATION_RECORDER)
    page.goto(f"{own_sandbox.http_url}/settings/preferences")
    state = page.locator("[data-notify-state]")
    expect(state).to_have_text("Off.")
    page.get_by_role("button", name="Turn on notifications").click()
    expect(state).to_contain_text("On")
    page.goto(f"{own_sandbox.http_url}/")
    wait_for_script(page, "window.gclap && window.gclap.stream && window.gclap.stream.readyState === 1")
    with own_sandbox.client() as api:
        send_api(api, subject=f"Ping {unique}")
    wait_until(lambda: f"Ping {unique}" in page.evaluate("() => window.__notes.map((note) => note.body)"),
               "the notification of the new email")

    page.goto(f"{own_sandbox.http_url}/settings/preferences")
    page.get_by_role("button", name="Turn off notifications").click()
    expect(state).to_have_text("Off.")


def _chaos(sandbox) -> dict:
    with sandbox.client() as api:
        return api.get("/api/v1/sandbox/chaos/").json()


def _rcpt_reply(sandbox, address: str) -> int:
    with smtplib.SMTP(sandbox.smtp_host, sandbox.smtp_port, timeout=30) as smtp:
        smtp.ehlo()
        reply = smtp.mail("app@example.com")
        assert reply[0] == 250, reply
        return smtp.rcpt(address)[0]


@pytest.mark.parametrize("size", SIZE_IDS)
def test_chaos_rules_are_added_edited_and_deleted_in_the_page_and_take_effect(page, own_sandbox, unique, size):
    from playwright.sync_api import expect

    _size(page, size)
    with own_sandbox.client() as api:
        assert api.put("/api/v1/sandbox/chaos/", json={}).status_code == 200
    blocked = f"someone@{unique}.blocked.test"
    page.goto(f"{own_sandbox.http_url}/settings/chaos")
    page.get_by_role("button", name="Add SMTP rule").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Stage").select_option("rcpt")
    dialog.get_by_label("Reply code").fill("550")
    dialog.get_by_label("Only for (one pattern a line)").fill(f"*@{unique}.blocked.test")
    dialog.get_by_role("button", name="Save rule").click()
    rule = page.locator(".chaos-rule")
    expect(rule).to_contain_text(f"*@{unique}.blocked.test")
    expect(rule).to_contain_text("550")
    assert _chaos(own_sandbox)["smtp"] == [{"stage": "rcpt", "code": 550, "match": [f"*@{unique}.blocked.test"],
                                            "probability": 100, "delay": 0}]
    assert _rcpt_reply(own_sandbox, blocked) == 550
    assert _rcpt_reply(own_sandbox, f"fine@{unique}.example.com") == 250

    page.get_by_role("button", name="Edit SMTP rule 1").click()
    dialog.get_by_label("Reply code").fill("451")
    dialog.get_by_label("Reply text").fill("Try again later")
    dialog.get_by_role("button", name="Save rule").click()
    expect(rule).to_contain_text("451 Try again later")
    assert _rcpt_reply(own_sandbox, blocked) == 451

    page.get_by_role("button", name="Delete SMTP rule 1").click()
    page.get_by_role("dialog").get_by_role("button", name="Delete rule").click()
    expect(page.locator(".chaos-rule")).to_have_count(0)
    assert _chaos(own_sandbox)["smtp"] == []
    assert _rcpt_reply(own_sandbox, blocked) == 250
    assert_fits_the_width(page)


def test_a_wrong_chaos_rule_names_each_bad_field_and_changes_nothing(page, own_sandbox):
    from playwright.sync_api import expect

    with own_sandbox.client() as api:
        assert api.put("/api/v1/sandbox/chaos/", json={}).status_code == 200
    page.goto(f"{own_sandbox.http_url}/settings/chaos")
    page.get_by_role("button", name="Add HTTP rule").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_role("button", name="Save rule").click()  # neither a status nor a delay
    expect(dialog.locator('[data-error-for="body"]')).to_contain_text("Give `status` to fail, `delay` to slow down")
    dialog.get_by_label("Paths").fill("re:(")
    dialog.get_by_label("Delay (seconds, up to 300)").fill("soon")
    dialog.get_by_label("Answer with").select_option("503")
    dialog.get_by_role("button", name="Save rule").click()
    expect(dialog.locator('[data-error-for="path"]')).to_contain_text("Not a valid pattern")
    expect(dialog.locator('[data-error-for="delay"]')).to_be_visible()
    expect(dialog.get_by_label("Paths")).to_have_attribute("aria-invalid", "true")
    assert _chaos(own_sandbox)["http"] == []

    dialog.get_by_label("Paths").fill("/api/v1/emails/*")
    dialog.get_by_label("Delay (seconds, up to 300)").fill("0")
    dialog.get_by_label("POST").check()
    dialog.get_by_role("button", name="Save rule").click()
    expect(page.locator(".chaos-rule")).to_contain_text("POST /api/v1/emails/*: answer 503")
    with own_sandbox.client() as api:
        assert api.post("/api/v1/emails/send/", json={"to": "a@example.com", "subject": "x", "text": "x"}
                        ).status_code == 503
        assert api.put("/api/v1/sandbox/chaos/", json={}).status_code == 200
