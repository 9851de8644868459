"""Scheduled reports as a finance team's monitoring would check them: they arrive on the sandbox
clock at the local time asked for (across a daylight-saving change), one per period, in order,
as emails in the inbox whose CSV rows match the analytics API's figures."""
from __future__ import annotations

import csv
import io
from datetime import date, datetime, time, timedelta, timezone

import httpx
from lifecycle_helpers import advance, send
from report_helpers import (
    REPORTS,
    arrived_at,
    csv_attachments,
    email,
    iso,
    move_to,
    ok,
    parse,
    runs_of,
    sandbox_now,
    schedule_report,
)

EXPORT = "/api/v1/analytics/breakdown/export.csv"


def _last_sunday_of_march(year: int) -> date:
    """When Europe's summer time starts (01:00 UTC): clocks go from 02:00 CET to 03:00 CEST."""
    day = date(year, 3, 31)
    return day - timedelta(days=(day.weekday() + 1) % 7)


def _at(day: date, hour: int, minute: int = 0, second: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute, second), tzinfo=timezone.utc)


def _csv_rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def _export(api: httpx.Client, by: str, period: dict[str, str]) -> str:
    response = api.get(EXPORT, params={"by": by, "from": period["start"], "to": period["end"]})
    assert response.status_code == 200, response.text
    return response.text


def _next_weekday(api: httpx.Client, weekday: int, hour: int) -> datetime:
    """The next moment after the sandbox's now that is this weekday (0: Monday) at hour:00 UTC."""
    now = sandbox_now(api)
    day = now.date() + timedelta(days=1)
    while day.weekday() != weekday:
        day += timedelta(days=1)
    return _at(day, hour)


def test_a_weekly_report_for_monday_0900_paris_arrives_exactly_then_across_summer_time_with_matching_csv(launch):
    box = launch()
    with box.client() as api:
        now = sandbox_now(api)
        year = now.year if now.date() < date(now.year, 3, 1) else now.year + 1
        summer = _last_sunday_of_march(year)
        monday_before, monday_after = summer - timedelta(days=6), summer + timedelta(days=1)
        move_to(api, _at(monday_before - timedelta(days=2), 12))  # the Saturday before
        send(api, "ana@gmail.com", simulate=["opened"])
        send(api, "ben@gmail.com", simulate=["bounced"])
        advance(api, seconds=3600)

        report = schedule_report(api, name="Weekly numbers", schedule={
            "frequency": "weekly", "weekday": "monday", "time": "09:00", "timezone": "Europe/Paris"})
        assert report["period"] == "previous_week" and report["sections"] == [
            "summary", "campaigns", "bounces", "links", "domains"]
        assert report["schedule_text"] == "Weekly on Monday at 09:00 (Europe/Paris)"
        assert report["next_run_at"] == iso(_at(monday_before, 8))  # 09:00 CET is 08:00 UTC

        move_to(api, _at(monday_before, 7, 59, 59))
        assert runs_of(api, report["id"]) == []
        move_to(api, _at(monday_before, 8))
        [first] = runs_of(api, report["id"])
        assert first["trigger"] == "schedule" and first["scheduled_for"] == iso(_at(monday_before, 8))
        assert arrived_at(email(api, first["email_ids"][0]), _at(monday_before, 8))
        # After the clocks go forward, 09:00 in Paris is 07:00 UTC.
        assert ok(api.get(f"{REPORTS}{report['id']}/"))["next_run_at"] == iso(_at(monday_after, 7))

        move_to(api, _at(monday_before + timedelta(days=2), 10))  # mail in the week of the change
        send(api, "cy@outlook.com", simulate=["opened", "clicked"])
        send(api, "dee@gmail.com", simulate=["spam"])
        send(api, "eve@gmail.com", simulate=["softbounce"])
        advance(api, seconds=3600)
        move_to(api, _at(monday_after, 6, 59, 59))
        assert len(runs_of(api, report["id"])) == 1
        move_to(api, _at(monday_after, 7))
        second = runs_of(api, report["id"])[1]
        assert second["scheduled_for"] == iso(_at(monday_after, 7))
        # Monday 00:00 CET to Monday 00:00 CEST: a week one hour short.
        assert second["period"] == {"start": iso(_at(monday_before - timedelta(days=1), 23)),
                                    "end": iso(_at(summer, 22))}

        message = email(api, second["email_ids"][0])
        assert arrived_at(message, _at(monday_after, 7))
        assert message["subject"] == f"Weekly numbers: {monday_before} to {summer} (Europe/Paris)"
        assert [r["email"] for r in message["recipients"]] == ["finance@shop.example"]
        assert "outlook.com" in message["html"] and "Bounces and complaints" in message["html"]
        files = csv_attachments(api, message)
        assert sorted(files) == sorted(f"weekly-numbers-{name}-{monday_before}.csv"
                                       for name in ("summary", "campaigns", "bounces", "links", "domains"))
        for section, by in (("domains", "domain"), ("campaigns", "campaign"), ("links", "link")):
            assert files[f"weekly-numbers-{section}-{monday_before}.csv"] == _export(api, by, second["period"])
        summary = _csv_rows(files[f"weekly-numbers-summary-{monday_before}.csv"])
        figures = dict(zip(summary[0], summary[1]))
        domains = ok(api.get("/api/v1/analytics/breakdown/", params={
            "by": "domain", "from": second["period"]["start"], "to": second["period"]["end"]}))["rows"]
        for figure in ("sent", "delivered", "bounced", "opened", "clicked", "spam"):
            assert int(figures[figure]) == sum(row[figure] for row in domains), figure
        assert (figures["sent"], figures["spam"], figures["soft_bounced"]) == ("3", "1", "1")
        bounces = _csv_rows(files[f"weekly-numbers-bounces-{monday_before}.csv"])
        assert bounces[0] == ["kind", "reason", "events", "recipients"]
        assert {row[0] for row in bounces[1:]} == {"complaint", "soft_bounce"}
        # The first run covered the week before: Ana's and Ben's mail, not this week's.
        first_summary = _csv_rows(csv_attachments(api, email(api, first["email_ids"][0]))[
            f"weekly-numbers-summary-{monday_before - timedelta(days=7)}.csv"])
        assert dict(zip(*first_summary))["sent"] == "2"


def test_advancing_a_week_produces_seven_daily_reports_in_order_each_about_its_own_day(launch):
    box = launch()
    with box.client() as api:
        noon_in_tokyo = _next_weekday(api, 0, 3)  # Japan keeps one offset all year (+09:00)
        move_to(api, noon_in_tokyo)
        send(api, "ana@gmail.com")
        send(api, "ben@gmail.com")
        report = schedule_report(api, name="Daily", formats=["csv"], sections=["summary"], schedule={
            "frequency": "daily", "time": "06:30", "timezone": "Asia/Tokyo"})
        assert report["next_run_at"] == iso(noon_in_tokyo + timedelta(hours=18, minutes=30))

        advance(api, seconds=7 * 86400)
        runs = runs_of(api, report["id"])
        assert [run["scheduled_for"] for run in runs] == [
            iso(noon_in_tokyo + timedelta(days=day, hours=18, minutes=30)) for day in range(7)]
        for earlier, later in zip(runs, runs[1:]):
            assert earlier["period"]["end"] == later["period"]["start"]
        days = [(noon_in_tokyo.date() + timedelta(days=day)).isoformat() for day in range(7)]
        messages = [email(api, run["email_ids"][0]) for run in runs]
        assert [m["subject"] for m in messages] == [f"Daily: {day} (Asia/Tokyo)" for day in days]
        assert all(arrived_at(m, parse(run["scheduled_for"])) for m, run in zip(messages, runs))
        sent = [dict(zip(*_csv_rows(next(iter(csv_attachments(api, m).values())))))["sent"] for m in messages]
        assert sent == ["2", "0", "0", "0", "0", "0", "0"]
        # The inbox, newest first, ends with them in the order they ran.
        inbox = ok(api.get("/api/v1/emails/", params={"page_size": 500}))["results"]
        in_inbox = [m["id"] for m in reversed(inbox) if m["subject"].startswith("Daily: ")]
        assert in_inbox == [run["email_ids"][0] for run in runs]
        assert ok(api.get(f"{REPORTS}{report['id']}/"))["next_run_at"] == iso(
            noon_in_tokyo + timedelta(days=7, hours=18, minutes=30))


def test_run_now_sends_the_report_at_once_and_leaves_the_schedule_alone(launch):
    box = launch()
    with box.client() as api:
        send(api, "ana@gmail.com", simulate=["opened"])
        send(api, "bo@yahoo.com")
        advance(api, seconds=600)
        report = schedule_report(api, name="On demand", formats=["csv"], sections=["domains", "summary"],
                                 period="last_24_hours", schedule={"frequency": "monthly", "day": 1, "time": "08:00"})
        usage = ok(api.get("/api/v1/accounts/organization/"))["usage"]["emails"]
        dashboard = ok(api.get("/api/v1/analytics/dashboard/", params={"days": 1}))["totals"]

        run = ok(api.post(f"{REPORTS}{report['id']}/run-now/"), 201)
        assert run["trigger"] == "manual" and run["scheduled_for"] is None
        assert parse(run["period"]["end"]) - parse(run["period"]["start"]) == timedelta(hours=24)
        message = email(api, run["email_ids"][0])
        assert message["html"] is None and "attached as CSV" in message["text"]
        files = csv_attachments(api, message)
        domains = files[f"on-demand-domains-{parse(run['period']['start']).date()}.csv"]
        assert domains == _export(api, "domain", run["period"])
        assert [row[0] for row in _csv_rows(domains)[1:]] == ["gmail.com", "yahoo.com"]  # a tie: by name
        after = ok(api.get(f"{REPORTS}{report['id']}/"))
        assert after["next_run_at"] == report["next_run_at"] and after["last_run_at"] == run["ran_at"]
        assert [r["id"] for r in runs_of(api, report["id"])] == [run["id"]]
        # The sandbox's own mail: not the organization's sending.
        assert ok(api.get("/api/v1/accounts/organization/"))["usage"]["emails"] == usage
        assert ok(api.get("/api/v1/analytics/dashboard/", params={"days": 1}))["totals"] == dashboard
        assert ok(api.get(f"/api/v1/emails/{message['id']}/events/"))["results"] == []


def test_a_cron_schedule_runs_when_the_expression_matches_in_its_time_zone(launch):
    box = launch()
    with box.client() as api:
        friday = _next_weekday(api, 4, 12)  # 21:00 in Tokyo
        move_to(api, friday)
        report = schedule_report(api, name="Weekdays", schedule={
            "frequency": "cron", "cron": "0 18 * * 1-5", "timezone": "Asia/Tokyo"})
        assert report["period"] == "last_24_hours" and report["schedule_text"].startswith("Cron `0 18 * * 1-5`")
        monday = friday + timedelta(days=3)
        assert report["next_run_at"] == iso(monday - timedelta(hours=3))  # 18:00 in Tokyo is 09:00 UTC
        move_to(api, monday + timedelta(days=1))
        runs = runs_of(api, report["id"])  # nothing at the weekend
        assert [run["scheduled_for"] for run in runs] == [iso(monday - timedelta(hours=3)),
                                                          iso(monday + timedelta(hours=21))]
        assert all(parse(r["period"]["end"]) - parse(r["period"]["start"]) == timedelta(hours=24) for r in runs)


def test_monthly_on_the_31st_runs_on_the_last_day_of_shorter_months(launch):
    box = launch()
    with box.client() as api:
        now = sandbox_now(api)
        move_to(api, _at(date(now.year + 1, 1, 31), 12))
        report = schedule_report(api, schedule={"frequency": "monthly", "day": 31, "time": "09:00"})
        february_end = date(now.year + 1, 3, 1) - timedelta(days=1)
        assert report["next_run_at"] == iso(_at(february_end, 9)) and report["period"] == "previous_month"
        move_to(api, _at(february_end, 9))
        [run] = runs_of(api, report["id"])
        assert run["period"] == {"start": iso(_at(date(now.year + 1, 1, 1), 0)),
                                 "end": iso(_at(date(now.year + 1, 2, 1), 0))}


def test_disabled_and_deleted_reports_stop_running_and_a_change_plans_again(launch):
    box = launch()
    with box.client() as api:
        report = schedule_report(api, schedule={"frequency": "daily", "time": "09:00"})
        off = ok(api.patch(f"{REPORTS}{report['id']}/", json={"enabled": False}))
        assert off["enabled"] is False and off["next_run_at"] is None
        advance(api, seconds=3 * 86400)
        assert runs_of(api, report["id"]) == []
        on = ok(api.patch(f"{REPORTS}{report['id']}/", json={"enabled": True, "schedule": {
            "frequency": "weekly", "weekday": "sunday", "time": "23:30", "timezone": "UTC"}}))
        assert parse(on["next_run_at"]).weekday() == 6 and on["period"] == "previous_day"  # kept as it was
        assert ok(api.patch(f"{REPORTS}{report['id']}/", json={"period": None}))["period"] == "previous_week"
        assert ok(api.delete(f"{REPORTS}{report['id']}/"), 204) is None
        assert api.get(f"{REPORTS}{report['id']}/").status_code == 404
        before = ok(api.get("/api/v1/emails/"))["count"]
        advance(api, seconds=8 * 86400)
        assert ok(api.get("/api/v1/emails/"))["count"] == before
        assert ok(api.get("/api/v1/sandbox/clock/"))["pending_jobs"] == 0


def test_listing_paging_and_reset(launch):
    box = launch()
    with box.client() as api:
        made = [schedule_report(api, name=f"R{i}", schedule={"frequency": "daily", "time": "09:00"}) for i in range(3)]
        page = ok(api.get(REPORTS, params={"page_size": 2}))
        assert page["count"] == 3 and [r["id"] for r in page["results"]] == [made[2]["id"], made[1]["id"]]
        assert page["next"]
        ok(api.post("/api/v1/sandbox/reset/"))
        assert ok(api.get(REPORTS))["count"] == 0
        assert ok(api.get("/api/v1/sandbox/clock/"))["pending_jobs"] == 0
