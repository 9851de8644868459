"""The Webhooks page in a real browser, against a real local HTTP receiver: add an endpoint,
see deliveries arrive live with the exact request, failures, and Redeliver; a disabled
endpoint's missed events and their replay; screenshots."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Iterator

import pytest
from browser_support import WAIT_MS
from lifecycle_helpers import MAGIC, advance, send
from ui_helpers import send_api
from ui_layout import assert_colour_scheme, visit_and_check
from webhook_helpers import (
    ENDPOINTS,
    deliveries,
    endpoint_of,
    fail_daily,
    subscribe,
    verified,
)
from webhook_receiver import Receiver


DAY = 86400


@pytest.fixture(scope="module")
def receiver() -> Iterator[Receiver]:
    running = Receiver()
    yield running
    running.stop()


def _endpoint_by_url(api, url: str) -> dict:
    [endpoint] = [e for e in api.get(ENDPOINTS, params={"page_size": 100}).json()["results"] if e["url"] == url]
    return endpoint


def test_add_an_endpoint_see_deliveries_fail_and_redeliver(sandbox, api, page, unique, receiver):
    from playwright.sync_api import expect

    name = f"browser-{unique}"
    page.goto(f"{sandbox.http_url}/webhooks")
    page.get_by_role("button", name="Add endpoint").click()
    page.fill("#hook-url", receiver.url(name))
    page.get_by_label("All events (including ones added later)").uncheck()
    page.get_by_label("email.sent", exact=True).check()
    page.fill("#hook-description", "Browser test receiver")
    page.locator("#endpoint-dialog").get_by_role("button", name="Add endpoint").click()
    expect(page.locator("[data-secret]")).to_contain_text("whsec_")
    row = page.locator("#endpoint-rows tr", has_text=receiver.url(name))
    expect(row).to_contain_text("email.sent")
    expect(row).to_contain_text("active")
    endpoint = _endpoint_by_url(api, receiver.url(name))
    assert endpoint["events"] == ["email.sent"] and endpoint["description"] == "Browser test receiver"

    # A delivery appears live in the (filtered) log, answered 200.
    page.goto(f"{sandbox.http_url}/webhooks?endpoint={endpoint['id']}")
    expect(page.locator("#delivery-rows tr.empty-row")).to_have_count(1)
    send_api(api, subject=f"Hooked {unique}")
    [received] = receiver.wait_for(name, 1)
    first = page.locator("#delivery-rows tr[data-delivery]")
    expect(first).to_have_count(1)
    expect(first.locator(".status")).to_have_text("succeeded")
    expect(first.locator(".http-code")).to_have_text("200")

    # Its page shows the request exactly as sent and the response.
    first.get_by_role("link", name="email.sent").click()
    attempt = page.locator("[data-attempt='1']")
    expect(attempt.locator("[data-response-status]")).to_have_text("HTTP 200")
    assert attempt.locator("[data-request-body]").text_content() == received.body
    assert received.headers["webhook-id"] in attempt.locator(".headers").first.text_content()
    expect(attempt.locator("[data-response-body]")).to_have_text('{"ok": true}')

    # The receiver fails: the failed attempt shows, and Redeliver adds a new attempt live.
    receiver.plan(name, 500, 500, 500)
    page.goto(f"{sandbox.http_url}/webhooks?endpoint={endpoint['id']}")
    send_api(api, subject=f"Failing {unique}")
    failing = page.locator("#delivery-rows tr[data-delivery]").first
    expect(failing.locator(".http-code")).to_have_text("500")
    expect(page.locator("#endpoint-rows tr", has_text=receiver.url(name)).locator(".failure-streak")).to_have_text("1")
    failing.get_by_role("link", name="email.sent").click()
    expect(page.locator("[data-attempt='1'] [data-response-status]")).to_have_text("HTTP 500")
    expect(page.locator("[data-attempt='1'] [data-response-body]")).to_contain_text("planned failure")
    before = page.locator("[data-attempt]").count()
    page.get_by_role("button", name="Redeliver").click()
    newest = page.locator(f"[data-attempt='{before + 1}']")  # the newest is listed first
    expect(newest.locator("[data-response-status]")).to_have_text("HTTP 500")
    log = deliveries(api, endpoint=endpoint["id"])
    assert len(log) == 2 and log[0]["attempt_count"] > before


def test_edit_disable_re_enable_test_and_delete(sandbox, api, page, unique, receiver):
    from playwright.sync_api import expect

    name = f"edit-{unique}"
    endpoint = subscribe(api, receiver.url(name), ["email.delivered"])
    page.goto(f"{sandbox.http_url}/webhooks")
    row = page.locator(f"tr[data-endpoint='{endpoint['id']}']")
    row.get_by_role("button", name="Edit").click()
    page.get_by_label("All events (including ones added later)").check()
    page.get_by_label("Active (unticked: no deliveries are sent)").uncheck()
    page.get_by_role("button", name="Save").click()
    expect(row).to_contain_text("all events")
    expect(row.locator(".status")).to_have_text("disabled")
    expect(row).to_contain_text("Disabled through the API.")
    row.get_by_role("button", name="Re-enable").click()
    expect(row.locator(".status")).to_have_text("active")
    row.get_by_role("button", name="Send test event").click()
    expect(page.locator(".toast")).to_have_text("Test event: HTTP 200")
    assert receiver.wait_for(name, 1)[0].headers["webhook-id"]
    expect(page.locator("#delivery-rows tr", has_text="webhook.test").first).to_be_visible()
    row.get_by_role("button", name="Rotate secret").click()
    page.locator("#rotate-dialog").get_by_role("button", name="Rotate secret").click()
    expect(page.locator("[data-secret-note]")).to_contain_text("The old secret also signs until")
    assert api.get(f"{ENDPOINTS}{endpoint['id']}/").json()["secret"] != endpoint["secret"]
    # Bad input shows the validator's message and stores nothing.
    row.get_by_role("button", name="Edit").click()
    page.fill("#hook-url", "ftp://nope")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#endpoint-dialog [data-form-error]")).to_contain_text("http:// or https://")
    page.locator("#endpoint-dialog").get_by_role("button", name="Cancel").click()
    assert api.get(f"{ENDPOINTS}{endpoint['id']}/").json()["url"] == receiver.url(name)
    page.once("dialog", lambda dialog: dialog.accept())
    row.get_by_role("button", name="Delete").click()
    expect(row).to_have_count(0)
    assert api.get(f"{ENDPOINTS}{endpoint['id']}/").status_code == 404


def _disable_by_failing(api, receiver, name: str, label: str, events: list[str]) -> dict:
    """An endpoint whose receiver stays down for over 5 days of sandbox time: disabled."""
    endpoint = subscribe(api, receiver.url(name), events)
    receiver.down(name)
    fail_daily(api, 5, label)
    advance(api, seconds=DAY)
    assert endpoint_of(api, endpoint)["active"] is False
    return endpoint


def test_a_disabled_endpoint_shows_its_missed_events_and_replay_sends_them(launch, page, receiver, unique):
    from playwright.sync_api import expect

    box = launch()
    name = f"ui-dead-{unique}"
    with box.client() as api:
        endpoint = _disable_by_failing(api, receiver, name, unique, ["email.sent"])
        for n in range(3):
            send(api, f"delivered+{unique}-missed-{n}@{MAGIC}", subject=f"Missed {n}")
        paused = len(deliveries(api, endpoint=endpoint["id"], status="pending"))  # they resume on re-enable

    page.goto(f"{box.http_url}/webhooks")
    row = page.locator(f"tr[data-endpoint='{endpoint['id']}']")
    expect(row.locator(".status")).to_have_text("disabled")
    expect(row.locator(".disabled-reason")).to_contain_text("failed for 5 days")
    expect(row.locator("[data-missed-note]")).to_have_text("3 missed events held for a replay")
    expect(row.get_by_role("button", name="Re-enable and replay 3 missed")).to_be_visible()
    skipped = page.locator("#delivery-rows tr", has_text="not sent: endpoint disabled")
    expect(skipped).to_have_count(3)
    expect(skipped.first.locator(".status")).to_have_text("skipped")

    receiver.up(name)
    row.get_by_role("button", name="Re-enable", exact=True).click()
    expect(row.locator(".status")).to_have_text("active")
    expect(page.locator(".toast")).to_have_text("Endpoint re-enabled. 3 missed events can be replayed")
    expect(row.locator("[data-missed-note]")).to_have_text("3 missed events not replayed yet")
    row.get_by_role("button", name="Replay 3 missed").click()
    expect(page.locator(".toast")).to_have_text("Replaying 3 missed events")
    expect(row.get_by_role("button", name="Replay 3 missed")).to_have_count(0)
    expect(row.locator("[data-missed-note]")).to_have_count(0)

    received = receiver.wait_for_accepted(name, paused + 3)
    subjects = [verified(endpoint["secret"], r)["data"]["subject"] for r in received]
    assert sorted(s for s in subjects if s.startswith("Missed")) == ["Missed 0", "Missed 1", "Missed 2"]
    expect(page.locator("#delivery-rows tr", has_text="not sent: endpoint disabled")).to_have_count(0)


def test_re_enable_and_replay_in_one_click(launch, page, receiver, unique):
    from playwright.sync_api import expect

    box = launch()
    name = f"ui-paused-{unique}"
    with box.client() as api:
        endpoint = subscribe(api, receiver.url(name), ["email.sent"])
        api.patch(f"{ENDPOINTS}{endpoint['id']}/", json={"active": False})
        for n in range(2):
            send(api, f"delivered+{unique}-{n}@{MAGIC}", subject=f"Paused {n}")
    page.goto(f"{box.http_url}/webhooks")
    row = page.locator(f"tr[data-endpoint='{endpoint['id']}']")
    expect(row.locator(".disabled-reason")).to_have_text("Disabled through the API.")
    row.get_by_role("button", name="Re-enable and replay 2 missed").click()
    expect(page.locator(".toast")).to_have_text("Replaying 2 missed events")
    expect(row.locator(".status")).to_have_text("active")
    received = receiver.wait_for_accepted(name, 2)
    assert sorted(verified(endpoint["secret"], r)["data"]["subject"] for r in received) == ["Paused 0", "Paused 1"]
    expect(page.locator("#delivery-rows tr .status", has_text="succeeded")).to_have_count(2)


@pytest.mark.long(seconds=9)
def test_the_webhooks_pages_show_their_content_on_desktop_in_dark_mode_and_on_a_phone(launch, browser, receiver):
    """The list and a failed delivery, as a person checks them at each size: the content is on
    screen, nothing scrolls sideways, navigation is reachable, dark mode is dark and readable.
    Screenshots are kept for people to look at."""
    from playwright.sync_api import expect

    box = launch()
    folder = Path(os.environ.get("GCLAP_SCREENSHOT_DIR") or tempfile.mkdtemp(prefix="gclap-ui-shots-"))
    folder.mkdir(parents=True, exist_ok=True)
    with box.client() as api:
        dead = _disable_by_failing(api, receiver, "shots-dead", "shots", ["email.sent", "email.delivered"])
        subscribe(api, receiver.url("shots-orders"), ["*"], description="Order service (staging)")
        receiver.down("shots-failing")
        failing = subscribe(api, receiver.url("shots-failing"), ["email.bounced", "email.sent"])
        for n in range(3):
            send_api(api, subject=f"Receipt #{n}", to=["ana@example.com"])
        receiver.wait_for("shots-orders", 3)
        receiver.wait_for("shots-failing", 3, answered=False)
        advance(api, seconds=60)
        failed = next(d for d in deliveries(api, endpoint=failing["id"]) if d["last_response_status"] == 503)
        skipped = deliveries(api, endpoint=dead["id"], status="skipped")[0]
    context = browser.new_context(viewport={"width": 1366, "height": 900}, device_scale_factor=1)
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    expect.set_options(timeout=WAIT_MS)

    def visit(name: str, path: str, *content: tuple) -> None:
        visit_and_check(page, f"{box.http_url}{path}", folder / name, *content, full_page=not name.endswith("phone.jpg"))

    def list_page() -> list[tuple]:
        orders = page.locator("#endpoint-rows tr", has_text=receiver.url("shots-orders"))
        dead_row = page.locator(f"tr[data-endpoint='{dead['id']}']")
        return [(orders.locator(".endpoint-url"), "the orders endpoint's URL"),
                (orders.get_by_text("Order service (staging)"), "its description"),
                (dead_row.locator(".status", has_text="disabled"), "the dead endpoint, disabled"),
                (page.locator(f"#delivery-rows tr[data-delivery='{failed['id']}'] .http-code", has_text="503"),
                 "the failed delivery's HTTP 503")]

    def delivery_page() -> list[tuple]:
        return [(page.locator("#delivery-title", has_text=failed["event_type"]), "the event type"),
                (page.locator(".lead-text", has_text=receiver.url("shots-failing")), "the endpoint URL"),
                (page.locator("[data-attempt] [data-response-status]", has_text="HTTP 503").first,
                 "the attempt's response status")]

    def skipped_page() -> list[tuple]:
        return [(page.locator("#delivery-title", has_text=skipped["event_type"]), "the event type"),
                (page.get_by_text("endpoint disabled").first, "why it was not sent")]

    try:
        visit("webhooks.jpg", "/webhooks", *list_page())
        visit("webhook-delivery.jpg", f"/webhooks/deliveries/{failed['id']}", *delivery_page())
        visit("webhook-skipped.jpg", f"/webhooks/deliveries/{skipped['id']}", *skipped_page())
        page.emulate_media(color_scheme="dark")
        visit("webhooks-dark.jpg", "/webhooks", *list_page())
        assert_colour_scheme(page, "dark")
        visit("webhook-delivery-dark.jpg", f"/webhooks/deliveries/{failed['id']}", *delivery_page())
        assert_colour_scheme(page, "dark")
        page.emulate_media(color_scheme="light")
        assert_colour_scheme(page, "light")
        page.set_viewport_size({"width": 390, "height": 844})
        visit("webhooks-phone.jpg", "/webhooks", *list_page())
        visit("webhook-delivery-phone.jpg", f"/webhooks/deliveries/{failed['id']}", *delivery_page())
    finally:
        context.close()
    print(f"\nWebhooks screenshots in {folder}")
