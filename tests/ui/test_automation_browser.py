"""The Automation pages in a real browser: a welcome series built and fed through the API, the
sandbox clock moved, and the steps and each run's history read off the page; Pause and
Activate from the page; screenshots at desktop and phone sizes, light and dark."""
from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

import pytest
from automation_ui_helpers import DAY, advance, make_template, make_workflow, sign_up, welcome_series, workflow_status
from browser_support import WAIT_MS
from ui_layout import assert_colour_scheme, visit_and_check


def test_the_steps_and_each_runs_history_show_after_the_clock_moves(own_sandbox, page, unique):
    from playwright.sync_api import expect

    with own_sandbox.client() as api:
        flow = welcome_series(api, unique)
        address = f"ana-{unique}@example.com"
        sign_up(api, unique, address)

        page.goto(f"{own_sandbox.http_url}/automation")
        row = page.locator(f"tr[data-workflow-row='{flow['id']}']")
        expect(row.locator("[data-runs-active]")).to_contain_text("1")
        row.get_by_role("link", name=f"Welcome series {unique}").click()

        steps = page.locator(".workflow-steps li .step-words")
        expect(steps).to_have_text([f"Send template 'Welcome {unique}'", "Wait 2 days",
                                    "If the email from step 1 was opened → exit, else → step 4",
                                    f"Send template 'Reminder {unique}'"])
        run = page.locator("article.run", has_text=address)
        expect(run.locator("[data-run-status]")).to_have_text("waiting")
        expect(run.locator("[data-run-at]")).to_have_text("waiting before step 3: "
                                                          "If the email from step 1 was opened → exit, else → step 4")

        advance(api, 2 * DAY + 60)
        page.reload()
        expect(run.locator("[data-run-status]")).to_have_text("completed")
        expect(run.locator(".run-history .history-words")).to_have_text([
            f"Sent 'Welcome {unique} subject' to {address} · view the email",
            re.compile(r"^Waited until \d{4}-\d\d-\d\d \d\d:\d\d UTC$"),
            "The condition was false → step 4",
            f"Sent 'Reminder {unique} subject' to {address} · view the email",
        ])
        # The reminder's link opens the captured email.
        run.locator(".run-history li").nth(3).get_by_role("link", name="view the email").click()
        expect(page.locator("h1")).to_contain_text(f"Reminder {unique} subject")


def test_pause_and_activate_from_the_page(own_sandbox, page, unique):
    from playwright.sync_api import expect

    with own_sandbox.client() as api:
        flow = welcome_series(api, unique, status="draft")
        page.goto(f"{own_sandbox.http_url}/automation/{flow['id']}")
        head = page.locator(".page-head")
        expect(head.locator(".status")).to_have_text("draft")
        head.get_by_role("button", name="Activate").click()
        expect(head.locator(".status")).to_have_text("active")
        expect(page.locator(".toast")).to_contain_text("is active")
        assert workflow_status(api, flow["id"]) == "active"

        page.goto(f"{own_sandbox.http_url}/automation")
        row = page.locator(f"tr[data-workflow-row='{flow['id']}']")
        row.get_by_role("button", name="Pause").click()
        expect(row.locator(".status")).to_have_text("paused")
        expect(page.locator(".toast")).to_contain_text("is paused")
        assert workflow_status(api, flow["id"]) == "paused"

        # A workflow whose template was deleted cannot be activated: the reason shows, nothing changes.
        broken = make_workflow(api, f"Broken {unique}", {"type": "manual"},
                               [{"type": "send_email", "template_id": make_template(api, f"Gone {unique}")}],
                               status="paused")
        assert api.delete(f"/api/v1/templates/{broken['steps'][0]['template_id']}/").status_code == 204
        page.reload()
        page.locator(f"tr[data-workflow-row='{broken['id']}']").get_by_role("button", name="Activate").click()
        expect(page.locator(".toast")).to_contain_text("steps[0].template_id")
        expect(page.locator(f"tr[data-workflow-row='{broken['id']}'] .status")).to_have_text("paused")
        assert workflow_status(api, broken["id"]) == "paused"


@pytest.mark.long(seconds=5)
def test_the_automation_pages_read_well_on_desktop_and_phone_in_light_and_dark(launch, browser):
    """Both pages, as a person checks them at each size and scheme: the content is on screen,
    nothing scrolls sideways, navigation is reachable, dark is dark and readable. The
    screenshots are kept for people to look at."""
    from playwright.sync_api import expect

    box = launch()
    folder = Path(os.environ.get("GCLAP_SCREENSHOT_DIR") or tempfile.mkdtemp(prefix="gclap-ui-shots-"))
    folder.mkdir(parents=True, exist_ok=True)
    with box.client() as api:
        flow = welcome_series(api, "shots")
        make_workflow(api, "Renewal reminder", {"type": "date_attribute", "attribute": "renewal_date",
                                                "offset": "-7d"},
                      [{"type": "wait", "until_attribute": "renewal_date", "offset": "-1d"},
                       {"type": "call_url", "url": "https://crm.example/hooks/renewal-reminder-sent"}],
                      status="paused")
        for name in ("ana.lima.with.a.rather.long.address@example.com", "bo@example.com"):
            sign_up(api, "shots", name)
        advance(api, 2 * DAY + 60)
        sign_up(api, "shots", "cy@example.com")
    context = browser.new_context(viewport={"width": 1366, "height": 900}, device_scale_factor=1)
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    expect.set_options(timeout=WAIT_MS)

    def visit(name: str, path: str, *content: tuple) -> None:
        visit_and_check(page, f"{box.http_url}{path}", folder / name, *content, full_page=True)

    def list_page() -> list[tuple]:
        row = page.locator(f"tr[data-workflow-row='{flow['id']}']")
        return [(row.get_by_role("link", name="Welcome series shots"), "the workflow's name"),
                (row.get_by_role("button", name="Pause"), "its Pause button"),
                (row.locator(".trigger-cell"), "its trigger in words")]

    def workflow_page() -> list[tuple]:
        run = page.locator("article.run", has_text="ana.lima.with.a.rather.long.address@example.com")
        return [(page.locator(".workflow-steps li").nth(2), "the condition step"),
                (run.locator(".run-history li").nth(3), "the reminder in the run's history"),
                (page.locator(".page-head").get_by_role("button", name="Pause"), "the Pause button")]

    try:
        for scheme in ("light", "dark"):
            page.emulate_media(color_scheme=scheme)
            suffix = "" if scheme == "light" else "-dark"
            for width, height, size in ((1366, 900, ""), (390, 844, "-phone")):
                page.set_viewport_size({"width": width, "height": height})
                visit(f"automation{size}{suffix}.jpg", "/automation", *list_page())
                assert_colour_scheme(page, scheme)
                visit(f"automation-workflow{size}{suffix}.jpg", f"/automation/{flow['id']}", *workflow_page())
                assert_colour_scheme(page, scheme)
    finally:
        context.close()
    print(f"\nAutomation screenshots in {folder}")
