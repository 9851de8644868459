"""What a report says about a period: its sections, each a title, columns and rows (DB thread).

The figures come from analytics/breakdowns.py, so a report's CSV rows are those of
`GET /api/v1/analytics/breakdown/export.csv` for the same period; the summary is the
dashboard's totals and rates; bounces and complaints are counted per kind and reason.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from gclap_sandbox.analytics import breakdowns
from gclap_sandbox.events import record as events
from gclap_sandbox.models import Event

SECTIONS = {
    "summary": "Summary",
    "campaigns": "Campaigns",
    "bounces": "Bounces and complaints",
    "links": "Top clicked links",
    "domains": "Delivery by recipient domain",
}
BREAKDOWN_OF = {"campaigns": "campaign", "links": "link", "domains": "domain"}
TOP_LINKS = 10  # rows the email shows; the CSV has them all
BOUNCE_COLUMNS = ["kind", "reason", "events", "recipients"]
# What the email's tables show (the CSV has every column): the figures a reader scans for.
_ENGAGEMENT = ["sent", "delivered", "bounced", "unique_opened", "unique_clicked", "unsubscribed", "spam",
               "open_rate", "click_rate"]
SHOWN = {
    "summary": ["sent", "delivered", "bounced", "hard_bounced", "soft_bounced", "unique_opened", "opened",
                "unique_clicked", "clicked", "unsubscribed", "spam", "delivery_rate", "bounce_rate", "open_rate",
                "click_rate", "click_to_open_rate", "unsubscribe_rate", "spam_rate"],
    "campaigns": ["campaign_name", *_ENGAGEMENT],
    "bounces": BOUNCE_COLUMNS,
    "links": ["url", "clicked", "unique_clicked"],
    "domains": ["domain", "sent", "delivered", "bounced", "deferred", "spam", "delivery_rate", "bounce_rate"],
}


def sections(names: list[str], organization_id: str, start: datetime, end: datetime) -> list[dict[str, Any]]:
    """[{name, title, columns, rows, shown}] of these sections for the period (one pass over the events)."""
    overall, by = breakdowns.figures(organization_id, [BREAKDOWN_OF[n] for n in names if n in BREAKDOWN_OF],
                                     start, end)
    found = []
    for name in names:
        if name == "summary":
            data: dict[str, Any] = overall
        elif name == "bounces":
            data = {"columns": BOUNCE_COLUMNS, "rows": bounce_reasons(organization_id, start, end)}
        else:
            data = by[BREAKDOWN_OF[name]]
        found.append({"name": name, "title": SECTIONS[name], "columns": data["columns"], "rows": data["rows"],
                      "shown": SHOWN[name]})
    return found


def bounce_reasons(organization_id: str, start: datetime, end: datetime) -> list[dict[str, Any]]:
    """Bounces (hard, soft) and complaints in the period per reason, most frequent first."""
    query = (Event.select(Event.type, Event.recipient, Event.data)
             .where((Event.organization == organization_id) & (Event.occurred_at >= start)
                    & (Event.occurred_at < end) & Event.type.in_([events.BOUNCED, events.SPAM])))
    groups: dict[tuple[str, str], tuple[int, set[str | None]]] = {}
    for event_type, recipient, data in query.tuples():
        data = data or {}
        if event_type == events.SPAM:
            kind, reason = "complaint", str(data.get("feedback_type") or "not given")
        else:
            kind = "hard_bounce" if data.get("bounce_type") == "hard" else "soft_bounce"
            reason = str(data.get("reason") or "not given")
        count, recipients = groups.get((kind, reason), (0, set()))
        recipients.add(recipient)
        groups[(kind, reason)] = (count + 1, recipients)
    rows = [{"kind": kind, "reason": reason, "events": count, "recipients": len(recipients)}
            for (kind, reason), (count, recipients) in groups.items()]
    return sorted(rows, key=lambda row: (-row["events"], row["kind"], row["reason"]))

