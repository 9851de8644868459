"""The schedule rules on their own (reports/schedule.py): local times across both daylight-saving
changes, times a change skips or repeats, month ends, and the periods runs cover."""
from __future__ import annotations

from datetime import datetime, timezone

from gclap_sandbox.reports.schedule import describe, next_run, period


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=timezone.utc)


def runs(schedule: dict, after: datetime, count: int) -> list[datetime]:
    found = []
    for _ in range(count):
        after = next_run(schedule, after)
        found.append(after)
    return found


PARIS_9 = {"frequency": "daily", "time": "09:00", "timezone": "Europe/Paris"}


def test_nine_in_paris_is_eight_utc_in_winter_and_seven_in_summer_both_ways():
    assert runs(PARIS_9, utc(2026, 3, 27, 12), 3) == [utc(2026, 3, 28, 8), utc(2026, 3, 29, 7), utc(2026, 3, 30, 7)]
    assert runs(PARIS_9, utc(2026, 10, 23, 12), 3) == [utc(2026, 10, 24, 7), utc(2026, 10, 25, 8), utc(2026, 10, 26, 8)]


def test_a_time_the_spring_change_skips_runs_when_the_clocks_have_jumped_and_a_repeated_one_runs_once():
    skipped = {"frequency": "daily", "time": "02:30", "timezone": "Europe/Paris"}
    # 29 March 2026 has no 02:30 in Paris: it runs at 03:30 CEST, 01:30 UTC.
    assert runs(skipped, utc(2026, 3, 28, 12), 2) == [utc(2026, 3, 29, 1, 30), utc(2026, 3, 30, 0, 30)]
    # 25 October 2026 has 02:30 twice: the first (CEST, 00:30 UTC) only.
    assert runs(skipped, utc(2026, 10, 24, 12), 2) == [utc(2026, 10, 25, 0, 30), utc(2026, 10, 26, 1, 30)]


def test_weekly_monthly_and_cron_schedules():
    weekly = {"frequency": "weekly", "weekday": "friday", "time": "17:45", "timezone": "America/New_York"}
    assert runs(weekly, utc(2026, 11, 2, 0), 2) == [utc(2026, 11, 6, 22, 45), utc(2026, 11, 13, 22, 45)]
    month_end = {"frequency": "monthly", "day": 31, "time": "00:00", "timezone": "UTC"}
    assert runs(month_end, utc(2027, 1, 1), 4) == [utc(2027, 1, 31), utc(2027, 2, 28), utc(2027, 3, 31), utc(2027, 4, 30)]
    cron = {"frequency": "cron", "cron": "15 8 1 * *", "timezone": "Asia/Kolkata"}
    assert runs(cron, utc(2026, 12, 15), 2) == [utc(2027, 1, 1, 2, 45), utc(2027, 2, 1, 2, 45)]
    assert describe(cron) == "Cron `15 8 1 * *`: At 08:15 on the first day of every month (Asia/Kolkata)"
    assert describe(month_end) == "Monthly on day 31 at 00:00 (UTC)"


def test_calendar_periods_are_local_days_and_rolling_ones_end_at_the_run():
    monday = utc(2026, 3, 30, 7)  # 09:00 CEST, the Monday after the change
    assert period("previous_week", monday, "Europe/Paris") == (utc(2026, 3, 22, 23), utc(2026, 3, 29, 22))
    assert period("previous_day", monday, "Europe/Paris") == (utc(2026, 3, 28, 23), utc(2026, 3, 29, 22))
    assert period("previous_month", monday, "Europe/Paris") == (utc(2026, 1, 31, 23), utc(2026, 2, 28, 23))
    assert period("last_7_days", monday, "Europe/Paris") == (utc(2026, 3, 23, 7), monday)
