"""The analytics dashboard: totals, rates and a per-day series, computed from the events.

`tally()` is the one place events are counted: the dashboard buckets them by day, the time
series (analytics/series.py) by hour or day, with the same counts and the same rates.
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from typing import Any, Callable, Hashable, Iterable

from gclap_sandbox import clock
from gclap_sandbox.events import record as events
from gclap_sandbox.models import Event

COUNTED = {
    events.SENT: "sent", events.DELIVERED: "delivered", events.DEFERRED: "deferred",
    events.BOUNCED: "bounced", events.OPENED: "opened", events.CLICKED: "clicked",
    events.UNSUBSCRIBED: "unsubscribed", events.SPAM: "spam", events.SUPPRESSED: "suppressed",
}
UNIQUE = {events.OPENED: "unique_opened", events.CLICKED: "unique_clicked"}


def _empty() -> dict[str, int]:
    counts = {name: 0 for name in COUNTED.values()}
    counts.update({name: 0 for name in UNIQUE.values()})
    return counts


def _rate(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


def rates(totals: dict[str, int]) -> dict[str, float]:
    """Unique opens and clicks per delivered email; bounces per sent one."""
    return {
        "delivery_rate": _rate(totals["delivered"], totals["sent"]),
        "bounce_rate": _rate(totals["bounced"], totals["sent"]),
        "open_rate": _rate(totals["unique_opened"], totals["delivered"]),
        "click_rate": _rate(totals["unique_clicked"], totals["delivered"]),
        "click_to_open_rate": _rate(totals["unique_clicked"], totals["unique_opened"]),
        "unsubscribe_rate": _rate(totals["unsubscribed"], totals["delivered"]),
        "spam_rate": _rate(totals["spam"], totals["delivered"]),
    }


class Tally:
    """Event counts for a span, in total and per bucket (every bucket listed up front starts at
    zero). A recipient's opens and clicks of one email count once as unique in the totals, and
    once in each bucket they fall in."""

    def __init__(self, buckets: Iterable[Hashable]) -> None:
        self.totals = {**_empty(), "hard_bounced": 0, "soft_bounced": 0}
        self.buckets: dict[Hashable, dict[str, int]] = {key: _empty() for key in buckets}
        self._seen: set[tuple[Hashable, str, str, str | None]] = set()

    def add(self, bucket: Hashable, event_type: str, email_id: str, recipient: str | None,
            data: dict[str, Any] | None) -> None:
        name = COUNTED[event_type]
        counts = self.buckets.setdefault(bucket, _empty())
        self.totals[name] += 1
        counts[name] += 1
        if event_type == events.BOUNCED:
            kind = (data or {}).get("bounce_type")
            self.totals["hard_bounced" if kind == "hard" else "soft_bounced"] += 1
        if event_type in UNIQUE:
            for scope, figures in ((None, self.totals), (bucket, counts)):
                key = (scope, event_type, email_id, recipient)
                if key not in self._seen:
                    self._seen.add(key)
                    figures[UNIQUE[event_type]] += 1

    def rates(self) -> dict[str, float]:
        return rates(self.totals)


def tally(organization_id: str, start: datetime, until: datetime,
          bucket_of: Callable[[datetime], Hashable], buckets: Iterable[Hashable]) -> Tally:
    """Count the organization's events with `start <= occurred_at < until`, each into the
    bucket `bucket_of(occurred_at)` names. Runs on the DB thread."""
    counted = Tally(buckets)
    rows = Event.select(Event.type, Event.email, Event.recipient, Event.occurred_at, Event.data).where(
        (Event.organization == organization_id) & (Event.occurred_at >= start)
        & (Event.occurred_at < until) & Event.type.in_(list(COUNTED)))
    for event_type, email_id, recipient, occurred_at, data in rows.tuples():
        counted.add(bucket_of(occurred_at), event_type, email_id, recipient, data)
    return counted


def _day(moment: datetime | date) -> date:
    return moment.date() if isinstance(moment, datetime) else moment


def dashboard(organization_id: str, days: int) -> dict[str, Any]:
    """The last `days` calendar days (UTC, today included) on the sandbox clock."""
    now = clock.now()
    first_day = now.date() - timedelta(days=days - 1)
    start = datetime.combine(first_day, time(), tzinfo=timezone.utc)
    counted = tally(organization_id, start, now + timedelta(microseconds=1), _day,
                    (first_day + timedelta(days=i) for i in range(days)))
    return {
        "period": {"days": days, "start": clock.iso(start), "end": clock.iso(now)},
        "totals": counted.totals,
        "rates": counted.rates(),
        "series": [{"date": day.isoformat(), **counts} for day, counts in sorted(counted.buckets.items())],
    }
