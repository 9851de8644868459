"""The analytics dashboard: totals, rates and a per-day series, computed from the events."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from typing import Any

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


def dashboard(organization_id: str, days: int) -> dict[str, Any]:
    """The last `days` calendar days (UTC, today included) on the sandbox clock."""
    now = clock.now()
    first_day = now.date() - timedelta(days=days - 1)
    start = datetime.combine(first_day, time(), tzinfo=timezone.utc)
    totals = _empty()
    totals.update(hard_bounced=0, soft_bounced=0)
    by_day: dict[date, dict[str, int]] = {first_day + timedelta(days=i): _empty() for i in range(days)}
    seen_total: dict[str, set[tuple[str, str | None]]] = {t: set() for t in UNIQUE}
    seen_day: dict[tuple[date, str], set[tuple[str, str | None]]] = {}
    rows = Event.select(Event.type, Event.email, Event.recipient, Event.occurred_at, Event.data).where(
        (Event.organization == organization_id) & (Event.occurred_at >= start)
        & (Event.occurred_at <= now) & Event.type.in_(list(COUNTED)))
    for event_type, email_id, recipient, occurred_at, data in rows.tuples():
        name = COUNTED[event_type]
        day = occurred_at.date() if isinstance(occurred_at, datetime) else occurred_at
        day_counts = by_day.setdefault(day, _empty())
        totals[name] += 1
        day_counts[name] += 1
        if event_type == events.BOUNCED:
            kind = (data or {}).get("bounce_type")
            totals["hard_bounced" if kind == "hard" else "soft_bounced"] += 1
        if event_type in UNIQUE:
            pair = (email_id, recipient)
            if pair not in seen_total[event_type]:
                seen_total[event_type].add(pair)
                totals[UNIQUE[event_type]] += 1
            today = seen_day.setdefault((day, event_type), set())
            if pair not in today:
                today.add(pair)
                day_counts[UNIQUE[event_type]] += 1
    return {
        "period": {"days": days, "start": clock.iso(start), "end": clock.iso(now)},
        "totals": totals,
        "rates": rates(totals),
        "series": [{"date": day.isoformat(), **counts} for day, counts in sorted(by_day.items())],
    }
