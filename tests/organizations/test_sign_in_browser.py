"""The web UI shows one organization at a time; the sign-in chooses which (real Chromium)."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
from organization_helpers import new_organization, ok
from sandbox_process import start_sandbox
from ui_layout import assert_colour_scheme, assert_readable_page, sizes_and_schemes

PASSWORD = "two teams one sandbox"


@pytest.fixture(scope="module")
def shared():
    """A password-protected sandbox with a second organization; each has one email of its own."""
    box = start_sandbox("--ui-password", PASSWORD)
    try:
        with box.client() as admin:
            organization, key = new_organization(admin, "Checkout QA")
            ok(admin.post("/api/v1/emails/send/", json={"to": ["dev@example.com"], "subject": "Default's receipt",
                                                       "text": "x", "from_email": "a@example.com"}), 202)
            with box.client(key) as team:
                qa = ok(team.post("/api/v1/emails/send/", json={
                    "to": ["qa@example.com"], "subject": "Checkout QA's order", "text": "x",
                    "from_email": "shop@example.com"}), 202)
        yield {"box": box, "qa_email": qa["id"]}
    finally:
        box.stop()


def sign_in(page, url: str, organization: str) -> None:
    page.goto(f"{url}/login")
    page.get_by_label("Organization").select_option(label=organization)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{url}/")


def test_the_sign_in_chooses_the_organization_the_inbox_shows(page, shared):
    from playwright.sync_api import expect

    url = shared["box"].http_url
    sign_in(page, url, "Checkout QA")
    expect(page.get_by_text("Checkout QA's order")).to_be_visible()
    expect(page.get_by_text("Default's receipt")).to_have_count(0)
    expect(page.locator(".org-switch")).to_have_text("Checkout QA")

    page.locator(".org-switch").click()
    page.get_by_label("Organization").select_option(label="Default organization")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("Default's receipt")).to_be_visible()
    expect(page.get_by_text("Checkout QA's order")).to_have_count(0)
    response = page.goto(f"{url}/emails/{shared['qa_email']}")
    assert response.status == 404  # another organization's email is not there for this session


def test_an_organization_deleted_while_signed_in_to_it_gives_way_to_the_default_one(page, launch):
    from playwright.sync_api import expect

    box = launch("--ui-password", PASSWORD)
    with box.client() as admin:
        organization, _ = new_organization(admin, "Short-lived team")
        ok(admin.post("/api/v1/emails/send/", json={"to": ["dev@example.com"], "subject": "Still here",
                                                   "text": "x", "from_email": "a@example.com"}), 202)
        sign_in(page, box.http_url, "Short-lived team")
        expect(page.get_by_text("Still here")).to_have_count(0)
        ok(admin.delete(f"/api/v1/sandbox/organizations/{organization['id']}/"))
    page.reload()
    expect(page.get_by_text("Still here")).to_be_visible()


def test_the_sign_in_page_reads_well_at_every_size_in_light_and_dark(page, shared):
    from playwright.sync_api import expect

    folder = Path(os.environ.get("GCLAP_SCREENSHOT_DIR") or tempfile.mkdtemp(prefix="gclap-sign-in-"))
    folder.mkdir(parents=True, exist_ok=True)
    page.goto(f"{shared['box'].http_url}/login")
    for size, scheme in sizes_and_schemes(page):
        expect(page.get_by_label("Organization")).to_be_visible()
        page.screenshot(path=str(folder / f"sign-in-{size}-{scheme}.jpg"), full_page=True)
        assert_colour_scheme(page, scheme)
        assert_readable_page(page, (page.get_by_label("Organization"), "the organization choice"),
                             (page.get_by_label("Password"), "the password"),
                             (page.get_by_role("button", name="Sign in"), "the sign-in button"))
    print(f"\nSign-in screenshots in {folder}")
