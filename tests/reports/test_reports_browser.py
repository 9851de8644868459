"""The Reports page in a real browser: a weekly report scheduled through the form, its next run
shown, run now, the run's email one click away; changes and bad input. Its pages at desktop
and phone sizes, light and dark, are checked in tests/ui/test_every_page_browser.py."""
from __future__ import annotations

from lifecycle_helpers import advance, send
from report_helpers import REPORTS, ok, runs_of, schedule_report


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
