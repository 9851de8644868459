"""The email page in a real browser, at desktop and phone sizes: the Source tab's decoded parts
and highlighted HTML, attachment thumbnails and previews, the preview widths only where they
work, no inner scroll pane cutting the text or the timeline, and the Links tab's checks."""
from __future__ import annotations

import pytest
from email_page_helpers import attachment_email
from lifecycle_helpers import advance
from ui_layout import SIZES, assert_fits_the_width, assert_on_screen

SIZE_IDS = [name for name, _ in SIZES]


@pytest.fixture(scope="module")
def emails(own_sandbox) -> dict[str, str]:
    with own_sandbox.client() as api:
        rich = attachment_email(api, "Your order with everything")
        text_only = api.post("/api/v1/emails/send/", json={
            "to": "ana@example.com", "subject": "Only text",
            "text": "\n".join(f"Plain line {n}" for n in range(1, 201))})
        assert text_only.status_code == 202, text_only.text
        advance(api, seconds=5)  # delivered
        for kind in ("opened", "clicked") * 4:  # a long timeline
            simulated = api.post(f"/api/v1/emails/{rich['id']}/simulate/", json={"event": kind})
            assert simulated.status_code == 201, simulated.text
    return {"rich": rich["id"], "text": text_only.json()["id"]}


def _open(page, sandbox, email_id: str, size: str) -> None:
    page.set_viewport_size(dict(zip(("width", "height"), dict(SIZES)[size])))
    page.goto(f"{sandbox.http_url}/emails/{email_id}")


@pytest.mark.parametrize("size", SIZE_IDS)
def test_the_source_tab_decodes_every_part_and_highlights_the_html(page, own_sandbox, emails, size):
    from playwright.sync_api import expect

    _open(page, own_sandbox, emails["rich"], size)
    page.get_by_role("tab", name="Source").click()
    expect(page.locator('[data-source="received"] .source')).to_contain_text("Content-Transfer-Encoding: base64")
    page.get_by_role("button", name="Decoded").click()
    parts = page.locator('[data-source="decoded"] .mime-part')
    expect(parts.filter(has_text="text/plain").first).to_contain_text("Line 120 of the text body")
    notes = parts.filter(has=page.locator(".name", has_text="notes.txt"))
    expect(notes.locator(".mime-body")).to_have_text("Grüße: three items")  # base64 in the source, text here
    pdf = parts.filter(has=page.locator(".name", has_text="invoice.pdf"))
    expect(pdf.locator(".mime-binary")).to_contain_text("Binary content, not shown")
    html_part = parts.filter(has=page.locator(".mime-type", has_text="text/html")).first
    expect(html_part.locator("code.hljs .hljs-tag").first).to_be_visible()  # highlighted
    page.get_by_role("button", name="HTML", exact=True).click()
    body = page.locator('[data-source="html"] code')
    expect(body.locator(".hljs-attr", has_text="href").first).to_be_visible()
    expect(body).to_contain_text('<a href="https://shop.example/orders/42">View your order</a>')
    assert_fits_the_width(page)


@pytest.mark.parametrize("size", SIZE_IDS)
def test_attachments_show_image_thumbnails_their_cids_and_previews_for_text_images_and_pdf(
        page, own_sandbox, emails, size):
    from playwright.sync_api import expect

    _open(page, own_sandbox, emails["rich"], size)
    logo = page.locator("[data-attachment]", has_text="logo.png")
    expect(logo.locator("code.cid")).to_have_text("cid:logo@shop")
    for name in ("logo.png", "photo.png"):
        thumb = page.locator("[data-attachment]", has_text=name).locator("img.thumb")
        expect(thumb).to_be_visible()
        assert thumb.evaluate("img => img.complete && img.naturalWidth") == 2  # decoded, not a broken image
    assert page.locator("[data-attachment]", has_text="archive.zip").get_by_role("button", name="Preview").count() == 0
    panel = page.locator("[data-preview-panel]")

    page.get_by_role("button", name="Preview notes.txt").click()
    expect(page.frame_locator("[data-preview-stage] iframe").locator("body")).to_have_text("Grüße: three items")
    assert_on_screen(page, panel, "the preview")
    page.get_by_role("button", name="Preview photo.png").click()
    expect(panel.locator("img")).to_have_js_property("naturalWidth", 2)
    page.get_by_role("button", name="Preview invoice.pdf").click()
    frame = panel.locator("iframe")
    expect(frame).to_be_visible()
    assert frame.get_attribute("sandbox") is None  # the browser's PDF viewer refuses a sandboxed frame
    assert frame.get_attribute("src").endswith("/preview")
    page.get_by_role("button", name="Close preview").click()
    expect(panel).to_be_hidden()
    assert_fits_the_width(page)


def test_the_width_buttons_show_only_on_the_html_tab_of_html_mail(page, own_sandbox, emails):
    from playwright.sync_api import expect

    _open(page, own_sandbox, emails["rich"], "desktop")
    widths = page.get_by_role("group", name="Preview width")
    expect(widths).to_be_visible()
    for tab in ("Text", "Source", "Headers", "Links", "Checks"):
        page.get_by_role("tab", name=tab).click()
        expect(widths).to_be_hidden()
    page.get_by_role("tab", name="HTML").click()
    expect(widths).to_be_visible()
    page.get_by_role("button", name="Phone").click()
    expect(page.locator(".frame-stage iframe")).to_have_css("width", "375px")
    assert page.locator('[data-width="100%"]').get_attribute("aria-pressed") == "false"
    page.get_by_role("tab", name="Source").click()
    page.get_by_role("button", name="Decoded").click()  # the source buttons leave the widths alone
    assert page.locator('[data-width="375px"]').get_attribute("aria-pressed") == "true"

    _open(page, own_sandbox, emails["rich"], "phone")  # a phone is narrower than any of them
    expect(page.locator(".frame-stage iframe")).to_be_visible()
    expect(page.locator("[data-widths]")).to_be_hidden()

    _open(page, own_sandbox, emails["text"], "desktop")
    expect(page.get_by_role("tab", name="Text")).to_have_attribute("aria-selected", "true")
    assert page.locator("[data-widths]").count() == 0


@pytest.mark.parametrize("size", SIZE_IDS)
def test_the_text_and_the_events_timeline_are_never_cut_by_an_inner_scroll_pane(page, own_sandbox, emails, size):
    from playwright.sync_api import expect

    _open(page, own_sandbox, emails["text"], size)
    text = page.locator(".text-body")
    expect(text).to_contain_text("Plain line 200")
    assert text.evaluate("el => el.scrollHeight <= el.clientHeight + 1"), "the text view scrolls inside itself"
    page.locator(".text-body").get_by_text("Plain line 200").scroll_into_view_if_needed()
    expect(text.get_by_text("Plain line 200")).to_be_in_viewport()

    _open(page, own_sandbox, emails["rich"], size)
    timeline = page.locator(".timeline")
    expect(timeline.locator(".tl-item")).to_have_count(10)  # sent, delivered and eight simulated events
    assert timeline.evaluate("el => el.scrollHeight <= el.clientHeight + 1"), "the timeline scrolls inside itself"
    for source in ("received", "decoded"):
        page.get_by_role("tab", name="Source").click()
        page.locator(f'[data-source-version="{source}"]').click()
        block = page.locator(f'[data-source="{source}"] .source').first
        assert block.evaluate("el => el.scrollHeight <= el.clientHeight + 1"), f"the {source} source scrolls inside itself"


@pytest.mark.parametrize("size", SIZE_IDS)
def test_the_links_tab_lists_each_link_text_and_url_apart_with_its_check_and_the_images(
        page, own_sandbox, emails, size):
    from playwright.sync_api import expect

    _open(page, own_sandbox, emails["rich"], size)
    page.get_by_role("tab", name="Links").click()
    links = page.locator("[data-links] .link-item")
    order = links.filter(has_text="View your order")
    expect(order.locator(".link-text")).to_contain_text("View your order")
    expect(order.locator(".link-url")).to_have_text("https://shop.example/orders/42")
    expect(order.locator(".link-check")).to_contain_text("No problem found")
    track = links.filter(has_text="track it")
    expect(track.locator(".link-url")).to_have_text("http://203.0.113.9/track")
    expect(track.locator(".link-check")).to_contain_text("ip-host")
    expect(track.locator(".link-check")).to_contain_text("insecure")
    images = page.locator("[data-images] .link-item")
    expect(images).to_have_count(2)
    expect(images.nth(0).locator(".link-url")).to_have_text("cid:logo@shop")
    expect(images.nth(1).locator(".link-check")).to_contain_text("missing-alt")
    assert_on_screen(page, track.locator(".link-check"), "the check of a link")
    assert_fits_the_width(page)
