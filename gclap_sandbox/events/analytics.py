"""The analytics dashboard: totals, rates and a per-day series, computed from the events.

`Tally` is the one place events are counted (totals, hard/soft bounces, opens and clicks once
per recipient's email); the dashboard, the breakdowns (analytics/breakdowns.py), the time
series (analytics/series.py, through `bucketed`) and scheduled reports all count through it, so
their figures agree.
"""
from __future__ import annotations

from datetime import datetime, time, timedelta, timezone
from typing import Any, Callable, Hashable, Iterable

import peewee

from gclap_sandbox import clock
from gclap_sandbox.events import record as events
from gclap_sandbox.models import Event

COUNTED = {
    events.SENT: "sent", events.DELIVERED: "delivered", events.DEFERRED: "deferred",
    events.BOUNCED: "bounced", events.OPENED: "opened", events.CLICKED: "clicked",
    events.UNSUBSCRIBED: "unsubscribed", events.SPAM: "spam", events.SUPPRESSED: "suppressed",
}
UNIQUE = {events.OPENED: "unique_opened", events.CLICKED: "unique_clicked"}
FIGURES = [*COUNTED.values(), *UNIQUE.values(), "hard_bounced", "soft_bounced"]
RATES = ["delivery_rate", "bounce_rate", "open_rate", "click_rate", "click_to_open_rate",
         "unsubscribe_rate", "spam_rate"]


class Tally:
    """The counts of one group of events; opens and clicks also once per (email, recipient)."""

    __slots__ = ("counts", "_seen")

    def __init__(self) -> None:
        self.counts = {name: 0 for name in FIGURES}
        self._seen: dict[str, set[tuple[str, str | None]]] = {kind: set() for kind in UNIQUE}

    def add(self, event_type: str, email_id: str, recipient: str | None, data: dict[str, Any] | None) -> None:
        self.counts[COUNTED[event_type]] += 1
        if event_type == events.BOUNCED:
            hard = (data or {}).get("bounce_type") == "hard"
            self.counts["hard_bounced" if hard else "soft_bounced"] += 1
        seen = self._seen.get(event_type)
        if seen is not None and (email_id, recipient) not in seen:
            seen.add((email_id, recipient))
            self.counts[UNIQUE[event_type]] += 1


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


def counted_events(organization_id: str, start: datetime, end: datetime, *columns: peewee.Field,
                   end_inclusive: bool = False) -> peewee.ModelSelect:
    """The organization's counted events from `start` to `end` (excluded unless `end_inclusive`),
    oldest first: (type, email id, recipient, data, *columns) tuples."""
    until = Event.occurred_at <= end if end_inclusive else Event.occurred_at < end
    return (Event.select(Event.type, Event.email, Event.recipient, Event.data, *columns)
            .where((Event.organization == organization_id) & (Event.occurred_at >= start) & until
                   & Event.type.in_(list(COUNTED)))
            .order_by(Event.occurred_at, Event.seq))


def bucketed(organization_id: str, start: datetime, end: datetime, bucket_of: Callable[[datetime], Hashable],
             buckets: Iterable[Hashable], end_inclusive: bool = False) -> tuple[Tally, dict[Any, Tally]]:
    """The period's total and one Tally per bucket (`bucket_of(occurred_at)`); every bucket listed
    in `buckets` is there, an empty one with zeros. The dashboard's days, the time series' hours."""
    total = Tally()
    by_bucket: dict[Any, Tally] = {key: Tally() for key in buckets}
    rows = counted_events(organization_id, start, end, Event.occurred_at, end_inclusive=end_inclusive)
    for event_type, email_id, recipient, data, occurred_at in rows.tuples():
        total.add(event_type, email_id, recipient, data)
        by_bucket.setdefault(bucket_of(occurred_at), Tally()).add(event_type, email_id, recipient, data)
    return total, by_bucket


def dashboard(organization_id: str, days: int) -> dict[str, Any]:
    """The last `days` calendar days (UTC, today included) on the sandbox clock."""
    now = clock.now()
    first_day = now.date() - timedelta(days=days - 1)
    start = datetime.combine(first_day, time(), tzinfo=timezone.utc)
    total, by_day = bucketed(organization_id, start, now, datetime.date,
                             (first_day + timedelta(days=i) for i in range(days)), end_inclusive=True)
    return {
        "period": {"days": days, "start": clock.iso(start), "end": clock.iso(now)},
        "totals": total.counts,
        "rates": rates(total.counts),
        "series": [{"date": day.isoformat(), **tally.counts} for day, tally in sorted(by_day.items())],
    }
