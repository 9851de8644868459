"""The web UI's delivery panels, API keys, contacts and templates pages in a real browser."""
from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

import pytest
from browser_support import WAIT_MS
from ui_helpers import rich_email, send_api
from ui_layout import assert_colour_scheme, assert_readable_page, visit_and_check


def test_a_triggered_click_shows_up_in_the_timeline(sandbox, api, page, unique):
    from playwright.sync_api import expect

    email = rich_email(api, f"Track me {unique}")
    page.goto(f"{sandbox.http_url}/emails/{email['id']}")
    timeline = page.locator(".timeline")
    expect(timeline.locator('[data-event-type="email.sent"]').first).to_be_visible()
    page.select_option("#simulate-recipient", "ana@example.com")
    page.select_option("#simulate-link", "https://shop.example/orders/42")
    page.locator("[data-simulate]").get_by_role("button", name="Click", exact=True).click()
    clicked = timeline.locator('[data-event-type="email.clicked"]')
    expect(clicked).to_have_count(1)
    expect(clicked).to_contain_text("ana@example.com")
    expect(clicked).to_contain_text("https://shop.example/orders/42")
    ana = page.locator(".recipients li", has_text="ana@example.com")
    expect(ana.locator(".status")).to_have_text("clicked")
    expect(page.locator(".recipients li", has_text="ops@example.com").locator(".status")).not_to_have_text("clicked")
    events = api.get("/api/v1/events/", params={"email": email["id"], "type": "email.clicked"}).json()
    assert [(e["recipient"], e["data"]["url"]) for e in events["results"]] == [
        ("ana@example.com", "https://shop.example/orders/42")]


def test_events_recorded_elsewhere_appear_live(sandbox, api, page, unique):
    from playwright.sync_api import expect

    email = send_api(api, subject=f"Live events {unique}", to=["bo@example.com"])
    page.goto(f"{sandbox.http_url}/emails/{email['id']}")
    expect(page.locator(".timeline")).to_be_visible()
    response = api.post(f"/api/v1/emails/{email['id']}/simulate/", json={"event": "spam"})
    assert response.status_code == 201
    expect(page.locator('.timeline [data-event-type="email.spam"]')).to_have_count(1)
    expect(page.locator(".recipients .status")).to_have_text("spam")
    expect(page.locator("[data-email-status]")).to_have_text("spam")


def test_every_trigger_button_records_its_event(sandbox, api, page, unique):
    from playwright.sync_api import expect

    email = send_api(api, subject=f"Buttons {unique}", to=["cy@example.com"])
    page.goto(f"{sandbox.http_url}/emails/{email['id']}")
    panel = page.locator("[data-simulate]")
    for label, event in [("Delivered", "delivered"), ("Opened", "opened"), ("Unsubscribed", "unsubscribed"),
                         ("Bounced", "bounced")]:
        panel.get_by_role("button", name=label, exact=True).click()
        expect(page.locator(f'.timeline [data-event-type="email.{event}"]').first).to_be_visible()
    assert not panel.get_by_role("button", name="Click", exact=True).count()  # a text email has no links
    types = {e["type"] for e in api.get("/api/v1/events/", params={"email": email["id"]}).json()["results"]}
    assert {"email.opened", "email.unsubscribed", "email.bounced"} <= types


def test_release_button_relays_and_shows_the_upstream_reply(launch, browser, smtp_sink):
    from playwright.sync_api import expect

    box = launch("--relay", smtp_sink.url, "--relay-mode", "manual")
    with box.client() as api:
        email = send_api(api, subject="Release me", to=["dev@example.com"])
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    try:
        page.goto(f"{box.http_url}/emails/{email['id']}")
        relay = page.locator("[data-relay]")
        expect(relay).to_contain_text("Not relayed yet")
        page.fill("#release-to", "qa@example.com, lead@example.com")
        relay.get_by_role("button", name="Release").click()
        dialog = page.get_by_role("dialog")
        expect(dialog).to_contain_text("Recipients (2): qa@example.com, lead@example.com")
        dialog.get_by_role("button", name="Send to 127.0.0.1").click()
        expect(page.locator("[data-relay] .relay-state .status")).to_have_text("relayed")
        expect(page.locator("[data-relay] .relay-reply")).to_contain_text("250")
        expect(page.locator("[data-release-result]")).to_contain_text("Relayed: 250")
        assert sorted(smtp_sink.wait_for(1)[-1].rcpt_tos) == ["lead@example.com", "qa@example.com"]
        page.reload()
        expect(page.locator(".email-head .relay-relayed")).to_have_text("relayed upstream")
        page.goto(f"{box.http_url}/")
        expect(page.locator(".row", has_text="Release me").locator(".relay-relayed")).to_be_visible()
    finally:
        context.close()


def test_no_release_button_without_a_relay(sandbox, api, page, unique):
    from playwright.sync_api import expect

    email = send_api(api, subject=f"No relay {unique}")
    page.goto(f"{sandbox.http_url}/emails/{email['id']}")
    expect(page.locator(".timeline")).to_be_visible()
    assert page.locator("[data-relay]").count() == 0


def test_a_created_key_is_shown_once(sandbox, page, unique):
    import httpx
    from playwright.sync_api import expect

    page.goto(f"{sandbox.http_url}/settings")
    expect(page.locator("h1")).to_have_text("Settings")
    page.get_by_role("button", name="Create new key").click()
    page.fill("#key-name", f"CI {unique}")
    page.uncheck("[data-all-scopes]")
    page.check('input[name="scope"][value="emails:send"]')
    page.check('input[name="scope"][value="emails:read"]')
    page.select_option("#key-expiry", "30")
    page.get_by_role("button", name="Create key").click()
    secret_el = page.locator("[data-secret]")
    expect(secret_el).to_have_text(re.compile(r"^gclap_test_\w{40}$"))
    secret = secret_el.text_content()
    row = page.locator("#key-rows tr", has_text=f"CI {unique}")
    expect(row).to_contain_text(f"{secret[:15]}…{secret[-4:]}")
    expect(row).to_contain_text("emails:send")
    with httpx.Client(base_url=sandbox.http_url, headers={"Authorization": f"Bearer {secret}"}) as client:
        assert client.get("/api/v1/emails/").status_code == 200
        assert client.get("/api/v1/contacts/").status_code == 403  # only the scopes chosen
    page.reload()
    expect(page.locator("#key-rows tr", has_text=f"CI {unique}")).to_be_visible()
    assert secret not in page.content()
    expect(page.locator("[data-secret-box]")).to_be_hidden()


def test_rotate_and_revoke_a_key(sandbox, api, page, unique):
    import httpx
    from playwright.sync_api import expect

    created = api.post("/api/v1/accounts/api-keys/", json={"name": f"Old {unique}"}).json()
    page.goto(f"{sandbox.http_url}/settings/api-keys")
    row = page.locator("#key-rows tr", has_text=f"Old {unique}")
    row.get_by_role("button", name="Rotate").click()
    page.get_by_role("button", name="Rotate key").click()
    new_secret = page.locator("[data-secret]")
    expect(new_secret).to_have_text(re.compile(r"^gclap_test_"))
    with httpx.Client(base_url=sandbox.http_url) as client:
        assert client.get("/api/v1/emails/", headers={"Authorization": f"Bearer {created['key']}"}).status_code == 401
        fresh = {"Authorization": f"Bearer {new_secret.text_content()}"}
        assert client.get("/api/v1/emails/", headers=fresh).status_code == 200
        page.once("dialog", lambda dialog: dialog.accept())
        active = page.locator("#key-rows tr:not(.is-revoked)", has_text=f"Old {unique}")
        active.get_by_role("button", name="Revoke").click()
        expect(page.locator("#key-rows tr.is-revoked", has_text=f"Old {unique}")).to_have_count(2)
        assert client.get("/api/v1/emails/", headers=fresh).status_code == 401


def test_contacts_search_filter_page_and_detail(launch, browser):
    from playwright.sync_api import expect

    box = launch()
    with box.client() as api:
        vip = api.post("/api/v1/contacts/lists/", json={"name": "VIP"}).json()
        for i in range(55):
            api.post("/api/v1/contacts/", json={"email": f"user{i:02d}@example.com", "first_name": f"User{i:02d}"})
        ana = api.post("/api/v1/contacts/", json={"email": "ana@acme.example", "first_name": "Ana",
                                                  "last_name": "Lima", "lists": [vip["id"]],
                                                  "attributes": {"plan": "pro"}}).json()
        api.post("/api/v1/contacts/", json={"email": "gone@acme.example", "status": "unsubscribed",
                                            "lists": [vip["id"]]})
        email = send_api(api, subject="Welcome, Ana", to=["ana@acme.example"])
        api.post(f"/api/v1/emails/{email['id']}/simulate/", json={"event": "opened"})
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    try:
        page.goto(f"{box.http_url}/contacts")
        expect(page.locator(".lead-text")).to_have_text("57 contacts")
        expect(page.locator("tbody tr")).to_have_count(50)
        page.get_by_role("link", name="Next ›").click()
        expect(page.locator("tbody tr")).to_have_count(7)
        page.fill("#contact-q", "acme")
        page.get_by_role("button", name="Filter").click()
        expect(page.locator("tbody tr")).to_have_count(2)
        page.select_option("#contact-list", vip["id"])
        page.select_option("#contact-status", "unsubscribed")
        page.get_by_role("button", name="Filter").click()
        expect(page.locator("tbody tr")).to_have_count(1)
        expect(page.locator("tbody")).to_contain_text("gone@acme.example")
        page.goto(f"{box.http_url}/contacts?q=ana")
        page.get_by_role("link", name="ana@acme.example").click()
        expect(page.locator("h1")).to_have_text("ana@acme.example")
        expect(page.locator(".facts").first).to_contain_text("Ana Lima")
        expect(page.locator(".facts").first).to_contain_text("VIP")
        expect(page.locator(".facts").nth(1)).to_contain_text("plan")
        expect(page.get_by_role("link", name="Welcome, Ana").first).to_be_visible()
        expect(page.locator("#contact-events").locator("..")).to_contain_text("opened")
        assert ana["id"] in page.url
    finally:
        context.close()


def test_template_editor_previews_live_and_shows_errors_with_lines(sandbox, api, page, unique):
    from playwright.sync_api import expect

    page.goto(f"{sandbox.http_url}/templates/new")
    page.fill("#t-name", f"Welcome {unique}")
    page.fill("#t-subject", "Hi {{ name }}")
    page.fill("#t-html", "<h1 id='hello'>Hello {{ name }}</h1>\n<p>{{ '<b>' }}</p>")
    page.fill("#t-variables", '{"name": "Ana"}')
    expect(page.locator("[data-preview-subject]")).to_have_text("Hi Ana")
    frame = page.frame_locator("[data-preview-frame]")
    expect(frame.locator("#hello")).to_have_text("Hello Ana")
    expect(frame.locator("p")).to_have_text("<b>")  # autoescaped
    page.fill("#t-html", "<h1>Hello {{ name }}</h1>\n<p>{% if %}</p>")
    errors = page.locator("[data-preview-errors]")
    expect(errors).to_contain_text("html line 2")
    page.fill("#t-html", "<h1>Hello {{ name }}</h1>\n<p>{{ plan }}</p>")
    expect(errors).to_contain_text("html line 2: The template uses `plan`")
    page.fill("#t-html", "<h1 id='hello'>Hello {{ name }}</h1>")
    expect(errors).to_be_hidden()
    page.get_by_role("button", name="Create template").click()
    expect(page.locator("h1")).to_have_text(f"Welcome {unique}")
    template_id = page.url.rsplit("/", 1)[1]
    assert api.get(f"/api/v1/templates/{template_id}/").json()["html"] == "<h1 id='hello'>Hello {{ name }}</h1>"
    expect(page.locator("#t-variables")).to_have_value(re.compile('"name"'))  # pre-filled from the source
    page.fill("#t-html", "{% for %}")
    page.get_by_role("button", name="Save").click()
    expect(page.locator('[data-errors-for="html"]')).to_contain_text("Line 1")
    page.goto(f"{sandbox.http_url}/templates")
    expect(page.get_by_role("link", name=f"Welcome {unique}")).to_be_visible()


@pytest.mark.long(seconds=7)
def test_the_new_pages_show_their_content_on_desktop_in_dark_mode_and_on_a_phone(launch, browser, smtp_sink):
    """Email delivery panels, keys, contacts and templates, as a person checks them at each size:
    the content is on screen, nothing scrolls sideways, every navigation link is reachable, dark
    mode is dark and readable. Screenshots are kept for people to look at."""
    from playwright.sync_api import expect

    box = launch("--relay", smtp_sink.url, "--relay-mode", "manual")
    folder = Path(os.environ.get("GCLAP_SCREENSHOT_DIR") or tempfile.mkdtemp(prefix="gclap-ui-shots-"))
    folder.mkdir(parents=True, exist_ok=True)
    with box.client() as api:
        email = rich_email(api, "Your receipt for order #42")
        for event, extra in [("delivered", {}), ("opened", {}), ("clicked", {"url": "https://shop.example/orders/42"})]:
            api.post(f"/api/v1/emails/{email['id']}/simulate/", json={"event": event, "recipient": "ana@example.com", **extra})
        api.post(f"/api/v1/emails/{email['id']}/simulate/", json={"event": "bounced", "recipient": "ops@example.com"})
        api.post(f"/api/v1/emails/{email['id']}/release/", json={})
        api.post("/api/v1/accounts/api-keys/", json={"name": "CI pipeline", "scopes": ["emails:send", "emails:read"]})
        api.post("/api/v1/accounts/api-keys/", json={"name": "Staging app", "expires_at": "2099-01-01T00:00:00Z"})
        vip = api.post("/api/v1/contacts/lists/", json={"name": "Customers"}).json()
        for first, last, status in [("Ana", "Lima", "subscribed"), ("Bo", "Berg", "subscribed"),
                                    ("Cy", "Chen", "unsubscribed"), ("Di", "Diaz", "subscribed")]:
            api.post("/api/v1/contacts/", json={"email": f"{first.lower()}@example.com", "first_name": first,
                                                "last_name": last, "status": status, "lists": [vip["id"]]})
        template = api.post("/api/v1/templates/", json={
            "name": "Welcome", "subject": "Welcome, {{ first_name }}!",
            "html": "<h1 style='font-family:sans-serif;color:#4338ca'>Welcome, {{ first_name }}!</h1>"
                    "<p style='font-family:sans-serif'>Your {{ plan }} plan is ready.</p>",
            "text": "Welcome, {{ first_name }}! Your {{ plan }} plan is ready."}).json()
        contact = api.get("/api/v1/contacts/", params={"search": "ana"}).json()["results"][0]
    context = browser.new_context(viewport={"width": 1280, "height": 900}, device_scale_factor=1)
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    expect.set_options(timeout=WAIT_MS)

    def visit(name: str, path: str, *content: tuple) -> None:
        visit_and_check(page, f"{box.http_url}{path}", folder / name, *content, full_page=name.startswith("email"))

    def email_page() -> list[tuple]:
        ana = page.locator(".recipients li", has_text="ana@example.com").locator(".status")
        ops = page.locator(".recipients li", has_text="ops@example.com").locator(".status")
        return [(page.locator("#email-subject", has_text="Your receipt for order #42"), "the subject"),
                (ana.filter(has_text="clicked"), "Ana's status, clicked"),
                (ops.filter(has_text="bounced"), "Ops' status, bounced"),
                (page.locator('.timeline [data-event-type="email.clicked"]', has_text="https://shop.example/orders/42"),
                 "the click in the timeline"),
                (page.locator("[data-relay] .relay-state .status", has_text="relayed"), "the relay state")]

    def keys_page() -> list[tuple]:
        return [(page.locator("#key-rows tr", has_text="CI pipeline").locator(".chip", has_text="emails:send"),
                 "the CI key's scope"),
                (page.locator("#key-rows tr", has_text="Staging app").locator('time[datetime^="2099-01-01"]'),
                 "the staging key's expiry"),
                (page.get_by_role("button", name="Create new key"), "the create button")]

    def contacts_page() -> list[tuple]:
        return [(page.locator(".lead-text", has_text="4 contacts"), "the contact count"),
                *((page.get_by_role("link", name=f"{n}@example.com"), f"{n}'s row") for n in ("ana", "bo", "cy", "di"))]

    try:
        visit("email-delivery.jpg", f"/emails/{email['id']}", *email_page())
        visit("api-keys.jpg", "/settings/api-keys", *keys_page())
        visit("contacts.jpg", "/contacts", *contacts_page())
        visit("contact.jpg", f"/contacts/{contact['id']}",
              (page.locator("#contact-title", has_text="ana@example.com"), "the contact's address"),
              (page.locator(".facts dd", has_text="Ana Lima"), "the name"),
              (page.locator(".facts dd a", has_text="Customers"), "the list"))
        page.goto(f"{box.http_url}/templates/{template['id']}")
        page.fill("#t-variables", '{"first_name": "Ana", "plan": "Pro"}')
        expect(page.locator("[data-preview-subject]")).to_have_text("Welcome, Ana!")
        preview = page.frame_locator("[data-preview-frame]")
        expect(preview.locator("h1")).to_have_text("Welcome, Ana!")
        expect(preview.locator("p")).to_have_text("Your Pro plan is ready.")
        page.screenshot(path=str(folder / "template-editor.jpg"))
        assert_readable_page(page, (page.locator("[data-preview-subject]"), "the previewed subject"),
                             (page.locator("[data-preview-frame]"), "the HTML preview"))
        page.emulate_media(color_scheme="dark")
        visit("templates-dark.jpg", "/templates", (page.get_by_role("link", name="Welcome", exact=True), "the template"))
        assert_colour_scheme(page, "dark")
        visit("api-keys-dark.jpg", "/settings/api-keys", *keys_page())
        assert_colour_scheme(page, "dark")
        page.emulate_media(color_scheme="light")
        assert_colour_scheme(page, "light")
        page.set_viewport_size({"width": 390, "height": 844})
        visit("email-delivery-phone.jpg", f"/emails/{email['id']}", *email_page())
        visit("contacts-phone.jpg", "/contacts", *contacts_page())
    finally:
        context.close()
    print(f"\nUI screenshots in {folder}")
