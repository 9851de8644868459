"""The Reports page in a real browser: a weekly report scheduled through the form, its next run
shown, run now, the run's email one click away; changes and bad input; screenshots at desktop
and phone sizes, light and dark."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

from browser_support import WAIT_MS
from lifecycle_helpers import advance, send
from report_helpers import REPORTS, ok, runs_of, schedule_report
from ui_layout import assert_colour_scheme, sizes_and_schemes, visit_and_check


def test_a_report_is_scheduled_in_the_form_run_now_and_its_email_opened(page, own_sandbox, unique):
    from playwright.sync_api import expect

    with own_sandbox.client() as api:
        send(api, f"ana-{unique}@gmail.com")
        advance(api, seconds=60)
        page.goto(f"{own_sandbox.http_url}/reports")
        form = page.locator("[data-report-form]")
        form.get_by_label("Name").fill(f"Finance {unique}")
        form.get_by_label("Repeats").select_option("weekly")
        expect(form.get_by_label("Day of the month")).to_be_hidden()
        expect(form.get_by_label("Cron")).to_be_hidden()
        form.get_by_label("On", exact=True).select_option("monday")
        form.get_by_label("At (local time)").fill("09:00")
        form.get_by_label("Time zone").fill("Europe/Paris")
        form.get_by_label("Recipients (one per line)").fill("finance@shop.example\ncfo@shop.example")
        form.get_by_label("Campaigns").uncheck()
        form.get_by_label("Each run covers").select_option("last_7_days")
        form.get_by_role("button", name="Schedule report").click()

        expect(page.locator("#report-title")).to_have_text(f"Finance {unique}")
        expect(page.locator("[data-schedule-text]")).to_contain_text("Weekly on Monday at 09:00 (Europe/Paris)")
        report_id = page.locator("[data-report]").get_attribute("data-report")
        report = ok(api.get(f"{REPORTS}{report_id}/"))
        assert report["sections"] == ["summary", "bounces", "links", "domains"]
        assert report["recipients"] == ["finance@shop.example", "cfo@shop.example"]
        assert report["period"] == "last_7_days" and report["next_run_at"]
        expect(page.locator("[data-next-run] time")).to_have_attribute("datetime", report["next_run_at"])

        page.get_by_role("button", name="Run now").click()
        expect(page.locator("tr[data-run]")).to_have_count(1)
        [run] = runs_of(api, report_id)
        page.locator("[data-run-email]").click()
        expect(page).to_have_url(f"{own_sandbox.http_url}/emails/{run['email_ids'][0]}")
        expect(page.locator("body")).to_contain_text(f"Finance {unique}")

        page.goto(f"{own_sandbox.http_url}/reports")
        row = page.locator("tr[data-report-row]", has_text=f"Finance {unique}")
        expect(row).to_contain_text("Weekly on Monday at 09:00 (Europe/Paris)")
        expect(row.locator("[data-next-run] time")).to_have_attribute("datetime", report["next_run_at"])


def test_a_report_is_changed_in_its_form_and_deleted(page, own_sandbox, unique):
    from playwright.sync_api import expect

    with own_sandbox.client() as api:
        report = schedule_report(api, name=f"Ops {unique}", schedule={"frequency": "daily", "time": "07:00"})
        page.goto(f"{own_sandbox.http_url}/reports/{report['id']}")
        form = page.locator("[data-report-form]")
        form.get_by_label("Repeats").select_option("cron")
        expect(form.get_by_label("At (local time)")).to_be_hidden()
        form.get_by_label("Cron").fill("30 6 * * 1-5")
        form.get_by_label("Runs on its schedule").uncheck()
        form.get_by_role("button", name="Save changes").click()
        expect(page.locator("[data-schedule-text]")).to_contain_text("Cron `30 6 * * 1-5`")
        expect(page.locator("[data-next-run]")).to_have_text("paused")
        changed = ok(api.get(f"{REPORTS}{report['id']}/"))
        assert changed["schedule"] == {"frequency": "cron", "cron": "30 6 * * 1-5", "timezone": "UTC"}
        assert changed["enabled"] is False and changed["next_run_at"] is None

        page.get_by_role("button", name="Delete").click()
        page.locator("#confirm-dialog").get_by_role("button", name="Delete").click()
        expect(page).to_have_url(f"{own_sandbox.http_url}/reports")
        assert api.get(f"{REPORTS}{report['id']}/").status_code == 404


def test_a_bad_report_form_names_the_problem_and_schedules_nothing(page, own_sandbox, unique):
    from playwright.sync_api import expect

    with own_sandbox.client() as api:
        before = ok(api.get(REPORTS))["count"]
        page.goto(f"{own_sandbox.http_url}/reports")
        form = page.locator("[data-report-form]")
        form.get_by_label("Name").fill(f"Broken {unique}")
        form.get_by_label("Time zone").fill("Mars/Olympus")
        form.get_by_role("button", name="Schedule report").click()
        errors = form.locator("[data-report-errors]")
        expect(errors).to_contain_text("recipients")
        expect(errors).to_contain_text("schedule.timezone")
        assert ok(api.get(REPORTS))["count"] == before


def test_the_report_pages_read_well_on_desktop_and_phone_in_light_and_dark(browser, own_sandbox, unique):
    from playwright.sync_api import expect

    folder = Path(os.environ.get("GCLAP_SCREENSHOT_DIR") or tempfile.mkdtemp(prefix="gclap-report-shots-"))
    folder.mkdir(parents=True, exist_ok=True)
    with own_sandbox.client() as api:
        send(api, f"bo-{unique}@outlook.com", simulate=["opened"])
        report = schedule_report(api, name=f"Weekly numbers for the finance team {unique}", recipients=[
            "finance@shop.example", "a-rather-long-address-for-the-chief-financial-officer@shop.example"],
            schedule={"frequency": "weekly", "weekday": "monday", "time": "09:00", "timezone": "Europe/Paris"})
        ok(api.post(f"{REPORTS}{report['id']}/run-now/"), 201)
    context = browser.new_context(viewport={"width": 1366, "height": 900}, device_scale_factor=1)
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    expect.set_options(timeout=WAIT_MS)

    def visit(name: str, path: str) -> None:
        if path == "/reports":
            content = [(page.locator("tr[data-report-row]", has_text=unique), "the report's row"),
                       (page.locator("[data-report-form]"), "the new-report form")]
        else:
            content = [(page.locator("[data-report-run-now]"), "the run-now button"),
                       (page.locator("tr[data-run]").first, "the run"),
                       (page.locator("[data-next-run]"), "the next run")]
        visit_and_check(page, f"{own_sandbox.http_url}{path}", folder / name, *content)

    try:
        for size, scheme in sizes_and_schemes(page):
            visit(f"reports-{size}-{scheme}.png", "/reports")
            assert_colour_scheme(page, scheme)
            visit(f"report-{size}-{scheme}.png", f"/reports/{report['id']}")
    finally:
        context.close()
    print(f"\nReport screenshots in {folder}")
