"""When a scheduled report runs, and which period each run covers (pure: no database).

A schedule is daily, weekly on a weekday or monthly on a day of the month, at a local time in
an IANA time zone; or a cron expression (cronsim) read in that time zone. Local times are
turned into UTC per run, so "09:00 Europe/Paris" stays 09:00 in Paris across daylight-saving
changes. A local time that a change skips (02:30 on a spring-forward night) runs when the
clocks have jumped (03:30); one that happens twice runs at the first. A monthly day beyond
the month's end (31 in April) runs on its last day.
"""
from __future__ import annotations

import calendar
from functools import lru_cache
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, available_timezones

from cronsim import CronSim, CronSimError

from gclap_sandbox.schema import Errors, Int, Obj, Str, TaggedUnion

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
FREQUENCIES = ("daily", "weekly", "monthly", "cron")
# Calendar periods end at local midnight of the run's day (month); rolling ones at the run itself.
PERIODS = ("previous_day", "previous_week", "previous_month", "last_24_hours", "last_7_days", "last_30_days")
DEFAULT_PERIOD = {"daily": "previous_day", "weekly": "previous_week", "monthly": "previous_month",
                  "cron": "last_24_hours"}
_ROLLING = {"last_24_hours": timedelta(hours=24), "last_7_days": timedelta(days=7),
            "last_30_days": timedelta(days=30)}
MAX_SEARCH_DAYS = 800
CRON_CHECKED_RUNS = 200  # runs of a cron expression looked at for how often it matches
MIN_CRON_GAP = timedelta(minutes=59)  # a minute less than an hour: a DST change may shorten one gap  # a schedule that matches no day in this long never runs (cron such as 30 Feb)


def time_zone(name: str) -> tzinfo:
    return timezone.utc if name == "UTC" else ZoneInfo(name)


@lru_cache(maxsize=1)
def zone_names() -> frozenset[str]:
    """Every IANA zone name zoneinfo knows: a name is looked up here, never probed as a file."""
    return frozenset(available_timezones() | {"UTC"})


def _check_zone(cleaned: dict[str, Any], errors: Errors) -> None:
    name = cleaned.get("timezone")
    if isinstance(name, str) and name not in zone_names():
        errors.setdefault("schedule.timezone", []).append(
            "Must be an IANA time zone name, e.g. Europe/Paris or UTC.")


def _check_cron(cleaned: dict[str, Any], errors: Errors) -> None:
    _check_zone(cleaned, errors)
    expression = cleaned.get("cron")
    if not isinstance(expression, str) or errors:
        return
    try:
        runs = CronSim(expression, datetime(2000, 1, 1, tzinfo=time_zone(cleaned["timezone"])))
        times = [next(runs) for _ in range(CRON_CHECKED_RUNS)]
    except (CronSimError, StopIteration, ValueError) as exc:
        detail = str(exc) or "it never matches"
        errors.setdefault("schedule.cron", []).append(f"Not a cron expression this sandbox can run ({detail}).")
        return
    if any(later - earlier < MIN_CRON_GAP for earlier, later in zip(times, times[1:])):
        errors.setdefault("schedule.cron", []).append("A report runs at most once an hour; this expression "
                                                      "matches more often.")


_TIME = Str(required=True, pattern=r"(?:[01][0-9]|2[0-3]):[0-5][0-9]", pattern_hint="Must be HH:MM (24-hour), e.g. 09:00.",
            description="Local time of day, HH:MM (24-hour).")


def _zone() -> Str:
    return Str(default="UTC", min_length=1, max_length=64, single_line=True,
               description="IANA time zone the time (or cron) is read in (default UTC).")


SHAPES = {
    "daily": Obj({"time": _TIME, "timezone": _zone()}, extra_check=_check_zone,
                 description="Every day at `time`."),
    "weekly": Obj({"weekday": Str(required=True, choices=list(WEEKDAYS)), "time": _TIME, "timezone": _zone()},
                  extra_check=_check_zone, description="Every week on `weekday` at `time`."),
    "monthly": Obj({"day": Int(required=True, minimum=1, maximum=31,
                               description="Day of the month; past a month's end, its last day."),
                    "time": _TIME, "timezone": _zone()},
                   extra_check=_check_zone, description="Every month on `day` at `time`."),
    "cron": Obj({"cron": Str(required=True, max_length=200, pattern=r"\S+(?: +\S+){4}",
                             pattern_hint="Five fields separated by spaces, e.g. 0 9 * * 1-5.",
                             description="Five fields: minute hour day-of-month month day-of-week, "
                                         "e.g. `0 9 * * 1-5`."),
                 "timezone": _zone()},
                extra_check=_check_cron, description="When the cron expression matches, in `timezone`."),
}


def schedule_field(*, required: bool = False) -> TaggedUnion:
    return TaggedUnion("frequency", SHAPES, name="ReportSchedule", required=required,
                       description="When the report runs; `frequency` decides the other fields.")


def next_run(schedule: dict[str, Any], after: datetime) -> datetime | None:
    """The first run strictly after `after` (UTC), or None if the schedule never matches again."""
    zone = time_zone(schedule["timezone"])
    if schedule["frequency"] == "cron":
        try:
            return next(CronSim(schedule["cron"], after.astimezone(zone))).astimezone(timezone.utc)
        except (StopIteration, CronSimError):
            return None
    hour, minute = (int(part) for part in schedule["time"].split(":"))
    day = after.astimezone(zone).date() - timedelta(days=1)  # a skipped hour may move a run back a day
    for _ in range(MAX_SEARCH_DAYS):
        if _runs_on(schedule, day):
            at = _local(day, time(hour, minute), zone)
            if at > after:
                return at
        day += timedelta(days=1)
    return None


def _runs_on(schedule: dict[str, Any], day: date) -> bool:
    if schedule["frequency"] == "weekly":
        return WEEKDAYS[day.weekday()] == schedule["weekday"]
    if schedule["frequency"] == "monthly":
        return day.day == min(schedule["day"], calendar.monthrange(day.year, day.month)[1])
    return True


def _local(day: date, at: time, zone: tzinfo) -> datetime:
    """The UTC moment of a local wall time; a skipped time is read with the offset before the change."""
    return datetime.combine(day, at, tzinfo=zone).astimezone(timezone.utc)


def period(name: str, run_at: datetime, zone_name: str) -> tuple[datetime, datetime]:
    """(start, end) in UTC of the period a run at `run_at` covers (start included, end excluded)."""
    if name in _ROLLING:
        return run_at - _ROLLING[name], run_at
    zone = time_zone(zone_name)
    today = run_at.astimezone(zone).date()
    if name == "previous_day":
        first, last = today - timedelta(days=1), today
    elif name == "previous_week":
        first, last = today - timedelta(days=7), today
    else:  # previous_month
        last = today.replace(day=1)
        first = (last - timedelta(days=1)).replace(day=1)
    return _local(first, time(), zone), _local(last, time(), zone)


def describe(schedule: dict[str, Any]) -> str:
    """In words, e.g. `Weekly on Monday at 09:00 (Europe/Paris)`."""
    zone = f"({schedule['timezone']})"
    frequency = schedule["frequency"]
    if frequency == "cron":
        try:
            explained = CronSim(schedule["cron"], datetime.now(timezone.utc)).explain()
        except (CronSimError, AttributeError):
            explained = schedule["cron"]
        return f"Cron `{schedule['cron']}`: {explained} {zone}"
    if frequency == "daily":
        return f"Daily at {schedule['time']} {zone}"
    if frequency == "weekly":
        return f"Weekly on {schedule['weekday'].capitalize()} at {schedule['time']} {zone}"
    return f"Monthly on day {schedule['day']} at {schedule['time']} {zone}"
