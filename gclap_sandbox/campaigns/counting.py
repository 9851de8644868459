"""Running counts of what happened to a campaign's email, kept as each event is recorded (DB thread).

Reading a campaign's stats used to count its events afresh: at 100,000 recipients that held the
database thread for most of a second on every poll of the campaign. Now `on_event` (an
`event_recorded` subscriber, server/wiring.py) adds each event to its campaign's counts in the
event's own transaction, and stats.py reads a few rows. `total` counts events, `unique` counts
recipients (a campaign sends one email per recipient, so: emails with at least one such event).
Clicks are also counted per link. Counts are history: deleting an email later keeps them.
"""
from __future__ import annotations

from typing import Any, Iterable

import peewee

from gclap_sandbox.events import record as events
from gclap_sandbox.models import CampaignCount, Email, Event

# The event types a campaign's stats show.
COUNTED_TYPES = (events.SENT, events.DELIVERED, events.BOUNCED, events.OPENED, events.CLICKED,
                 events.UNSUBSCRIBED, events.SPAM, events.SUPPRESSED)


def on_event(event: Any, payload: dict[str, Any]) -> None:
    """Add one recorded event to its campaign's counts (nothing for email outside campaigns)."""
    campaign_id = _campaign_of(event)
    if not campaign_id or event.type not in COUNTED_TYPES:
        return
    earlier = list(Event.select(Event.data).where(
        (Event.email == event.email_id) & (Event.type == event.type) & (Event.recipient == event.recipient)
        & (Event.id != event.id)).tuples())
    _add(campaign_id, event.type, "", first=not earlier)
    url = (event.data or {}).get("url") if event.type == events.CLICKED else None
    if url:
        _add(campaign_id, event.type, url, first=not any((data or {}).get("url") == url for (data,) in earlier))


def _campaign_of(event: Any) -> str | None:
    email = event.__rel__.get("email")  # record_event hands over the email it already has
    if email is None:
        email = Email.select(Email.campaign_id).where(Email.id == event.email_id).first()
    return getattr(email, "campaign_id", None)


def _add(campaign_id: str, type: str, url: str, first: bool) -> None:
    (CampaignCount.insert(campaign=campaign_id, type=type, url=url, total=1, unique=int(first))
     .on_conflict(conflict_target=[CampaignCount.campaign, CampaignCount.type, CampaignCount.url],
                  update={CampaignCount.total: CampaignCount.total + 1,
                          CampaignCount.unique: CampaignCount.unique + int(first)})
     .execute())


def read(campaign_id: str) -> tuple[dict[str, tuple[int, int]], list[dict[str, Any]]]:
    """({event type: (total, unique)}, [{url, total, unique}] most clicked first)."""
    by_type: dict[str, tuple[int, int]] = {}
    links: list[dict[str, Any]] = []
    rows = CampaignCount.select(CampaignCount.type, CampaignCount.url, CampaignCount.total, CampaignCount.unique) \
        .where(CampaignCount.campaign == campaign_id).tuples()
    for type, url, total, unique in rows:
        if url:
            links.append({"url": url, "total": total, "unique": unique})
        else:
            by_type[type] = (total, unique)
    links.sort(key=lambda row: (-row["total"], row["url"]))
    return by_type, links


def recount(campaign_ids: Iterable[str]) -> None:
    """Count these campaigns' events from scratch (for files written before counts were kept)."""
    for campaign_id in campaign_ids:
        totals: dict[tuple[str, str], int] = {}
        people: dict[tuple[str, str], set[str | None]] = {}
        rows = (Event.select(Event.type, Event.recipient, Event.data)
                .join(Email, on=(Event.email == Email.id))
                .where((Email.campaign_id == campaign_id) & (Event.type.in_(COUNTED_TYPES))).tuples())
        for type, recipient, data in rows:
            url = (data or {}).get("url") if type == events.CLICKED else None
            for key in ((type, ""), (type, url)) if url else ((type, ""),):
                totals[key] = totals.get(key, 0) + 1
                people.setdefault(key, set()).add(recipient)
        CampaignCount.delete().where(CampaignCount.campaign == campaign_id).execute()
        counts = [{"campaign": campaign_id, "type": type, "url": url, "total": total,
                   "unique": len(people[type, url])} for (type, url), total in totals.items()]
        for batch in peewee.chunked(counts, 500):  # per-link rows may be many (personalised links)
            CampaignCount.insert_many(batch).execute()


def count_older_campaigns() -> None:
    """At start: count campaigns that have email but no counts (sent by a version that kept none)."""
    counted = CampaignCount.select(CampaignCount.campaign)
    recount([campaign_id for (campaign_id,) in
             Email.select(Email.campaign_id).where(Email.campaign_id.is_null(False)
                                                    & Email.campaign_id.not_in(counted))
             .distinct().tuples()])

