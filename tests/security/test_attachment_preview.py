"""An attachment preview can never run the attachment's script: HTML and SVG are served as
plain text under a CSP that forbids everything, in a frame sandboxed with nothing allowed;
types the page cannot show safely get no preview at all."""
from __future__ import annotations

import pytest
from email_page_helpers import HOSTILE_HTML, HOSTILE_SVG, attachment_email
from helpers import assert_problem


@pytest.fixture(scope="module")
def email(own_sandbox) -> dict:
    with own_sandbox.client() as api:
        sent = attachment_email(api, "Hostile attachments")
        return api.get(f"/api/v1/emails/{sent['id']}/").json()


def _preview_url(sandbox, email: dict, filename: str) -> str:
    attachment = next(a for a in email["attachments"] if a["filename"] == filename)
    return f"{sandbox.http_url}/ui/emails/{email['id']}/attachments/{attachment['id']}/preview"


@pytest.mark.parametrize(("filename", "source"), [("invoice.html", HOSTILE_HTML), ("badge.svg", HOSTILE_SVG)])
def test_html_and_svg_previews_are_plain_text_under_a_csp_that_forbids_everything(own_sandbox, email, filename,
                                                                                 source):
    import httpx

    response = httpx.get(_preview_url(own_sandbox, email, filename))
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/plain; charset=utf-8"
    assert response.headers["x-content-type-options"] == "nosniff"
    csp = [d.strip() for d in response.headers["content-security-policy"].split(";")]
    assert "sandbox" in csp and "default-src 'none'" in csp  # sandbox with no allow-* tokens
    assert response.headers["content-disposition"].startswith("inline;")
    assert response.text == source  # the bytes as sent, shown, not interpreted


def test_a_type_without_a_safe_preview_gets_a_problem_not_its_bytes(own_sandbox, email):
    import httpx

    problem = assert_problem(httpx.get(_preview_url(own_sandbox, email, "archive.zip")), 404)
    assert "download" in problem["detail"]


def test_a_pdf_preview_is_a_pdf_and_an_image_preview_an_image(own_sandbox, email):
    import httpx

    pdf = httpx.get(_preview_url(own_sandbox, email, "invoice.pdf"))
    assert pdf.headers["content-type"] == "application/pdf" and pdf.content.startswith(b"%PDF-")
    assert "script-src" not in pdf.headers["content-security-policy"]  # default-src 'none' covers scripts
    assert "default-src 'none'" in pdf.headers["content-security-policy"]
    image = httpx.get(_preview_url(own_sandbox, email, "photo.png"))
    assert image.headers["content-type"] == "image/png" and image.content.startswith(b"\x89PNG")


@pytest.mark.parametrize("filename", ["invoice.html", "badge.svg"])
def test_previewing_a_scripted_attachment_in_the_browser_runs_none_of_it(page, own_sandbox, email, filename):
    from playwright.sync_api import expect

    page.goto(f"{own_sandbox.http_url}/emails/{email['id']}")
    title = page.title()
    page.get_by_role("button", name=f"Preview {filename}").click()
    frame_element = page.locator("[data-preview-stage] iframe")
    assert frame_element.get_attribute("sandbox") == ""  # every restriction on
    frame = page.frame_locator("[data-preview-stage] iframe")
    expect(frame.locator("body")).to_contain_text("<script>")  # shown as text
    content_frame = frame_element.element_handle().content_frame()
    assert content_frame.evaluate("document.contentType") == "text/plain"
    assert content_frame.evaluate("document.title") != "SCRIPT RAN"
    assert page.evaluate("document.body.dataset.pwned") is None
    assert page.title() == title

    # Opened on its own, outside any frame, it is still text and still inert.
    page.goto(_preview_url(own_sandbox, email, filename))
    assert page.evaluate("document.contentType") == "text/plain"
    assert page.evaluate("document.title") != "SCRIPT RAN"
    assert page.evaluate("document.body.dataset.pwned") is None
