"""The email page shows SPF, DKIM and DMARC results in a real browser, readable at desktop and
phone sizes, light and dark."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

from browser_support import WAIT_MS
from domain_helpers import verified_domain
from ui_layout import assert_colour_scheme, assert_readable_page, sizes_and_schemes


def _send(api, sender: str) -> str:
    response = api.post("/api/v1/emails/send/", json={"to": "bob@example.net", "subject": "Receipt",
                                                      "html": "<p>Thanks</p>", "from_email": sender})
    assert response.status_code == 202, response.text
    return response.json()["id"]


def test_the_email_page_shows_authentication_results_like_a_receiver(page, own_sandbox, unique):
    from playwright.sync_api import expect

    with own_sandbox.client() as api:
        domain = verified_domain(api, f"{unique}.example.com")
        signed = _send(api, f"Shop <shop@{domain['domain']}>")
        unsigned = _send(api, f"app@{unique}.example.org")
    page.goto(f"{own_sandbox.http_url}/emails/{signed}")
    panel = page.locator("[data-authentication]")
    expect(panel.get_by_role("heading", name="Authentication")).to_be_visible()
    expect(panel.locator("[data-auth=spf]")).to_contain_text(f"pass smtp.mailfrom={domain['domain']}")
    expect(panel.locator("[data-auth=dkim]")).to_contain_text(f"pass d={domain['domain']} s={domain['dkim_selector']}")
    expect(panel.locator("[data-auth=dmarc]")).to_contain_text("pass p=none · aligned: dkim, spf")
    panel.get_by_text("Authentication-Results", exact=True).click()
    expect(panel.locator(".auth-header code")).to_contain_text("dkim=pass header.d=")

    page.goto(f"{own_sandbox.http_url}/emails/{unsigned}")
    for check in ("spf", "dkim", "dmarc"):
        expect(page.locator(f"[data-auth={check}] .status")).to_have_text("none")


def test_the_authentication_panel_reads_well_on_desktop_and_phone_in_light_and_dark(browser, own_sandbox, unique):
    from playwright.sync_api import expect

    folder = Path(os.environ.get("GCLAP_SCREENSHOT_DIR") or tempfile.mkdtemp(prefix="gclap-auth-shots-"))
    folder.mkdir(parents=True, exist_ok=True)
    with own_sandbox.client() as api:
        domain = verified_domain(api, f"{unique}.example.com")
        email_id = _send(api, f"shop@{domain['domain']}")
    context = browser.new_context(viewport={"width": 1366, "height": 900}, device_scale_factor=1)
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    expect.set_options(timeout=WAIT_MS)
    try:
        for size, scheme in sizes_and_schemes(page, lambda: page.goto(f"{own_sandbox.http_url}/emails/{email_id}")):
            content = [(page.locator("[data-authentication]"), "the authentication panel"),
                       (page.locator("[data-auth=dkim]"), "the DKIM result")]
            for locator, what in content:
                expect(locator, what).to_be_visible()
            page.screenshot(path=str(folder / f"authentication-{size}-{scheme}.jpg"), full_page=True)
            assert_readable_page(page, *content)
            assert_colour_scheme(page, scheme)
    finally:
        context.close()
    print(f"\nAuthentication screenshots in {folder}")
