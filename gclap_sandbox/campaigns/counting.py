"""Running counts of a campaign: its recipients by status, and what happened to its email (DB thread).

Reading a campaign's stats used to count its events and recipients afresh: at 100,000 recipients
that held the database thread for most of a second on every poll of the campaign. Now the counts
are kept as things happen, in the same transaction, and stats.py reads a few rows:
- `on_event` (an `event_recorded` subscriber, server/wiring.py) adds each event of a campaign's
  email: `total` counts events, `unique` recipients (a campaign sends one email per recipient, so:
  emails with at least one such event); clicks are also counted per link;
- `move_recipients` is told by audience.py and sender.py when recipients are written, sent or
  skipped.
Counts are history: deleting an email later keeps them.
"""
from __future__ import annotations

from collections import Counter
from typing import Any, Iterable

import peewee

from gclap_sandbox.events import record as events
from gclap_sandbox.models import CampaignCount, CampaignRecipient, Email, Event

# The event types a campaign's stats show.
COUNTED_TYPES = (events.SENT, events.DELIVERED, events.BOUNCED, events.OPENED, events.CLICKED,
                 events.UNSUBSCRIBED, events.SPAM, events.SUPPRESSED)
RECIPIENTS, SKIPPED = "recipients", "skipped"  # the types of the recipient counts

Place = tuple[str, str | None]  # a recipient's (status, reason)


def on_event(event: Any, payload: dict[str, Any]) -> None:
    """Add one recorded event to its campaign's counts (nothing for email outside campaigns)."""
    campaign_id = _campaign_of(event)
    if not campaign_id or event.type not in COUNTED_TYPES:
        return
    earlier = list(Event.select(Event.data).where(
        (Event.email == event.email_id) & (Event.type == event.type) & (Event.recipient == event.recipient)
        & (Event.id != event.id)).tuples())
    _add(campaign_id, event.type, "", 1, first=not earlier)
    url = (event.data or {}).get("url") if event.type == events.CLICKED else None
    if url:
        _add(campaign_id, event.type, url, 1, first=not any((data or {}).get("url") == url for (data,) in earlier))


def _campaign_of(event: Any) -> str | None:
    email = event.__rel__.get("email")  # record_event hands over the email it already has
    if email is None:
        email = Email.select(Email.campaign_id).where(Email.id == event.email_id).first()
    return getattr(email, "campaign_id", None)


def move_recipients(campaign_id: str, arrived: Counter[Place], left: Counter[Place] | None = None) -> None:
    """Recipients arrived in (status, reason) places, and left others (a pending one sent or skipped)."""
    changes: Counter[Place] = Counter(arrived)
    changes.subtract(left or Counter())
    for (status, reason), change in changes.items():
        if change:
            _add(campaign_id, RECIPIENTS, status, change)
            if status == "skipped":
                _add(campaign_id, SKIPPED, reason or "", change)


def _add(campaign_id: str, type: str, key: str, change: int, first: bool = False) -> None:
    (CampaignCount.insert(campaign=campaign_id, type=type, key=key, total=change, unique=int(first))
     .on_conflict(conflict_target=[CampaignCount.campaign, CampaignCount.type, CampaignCount.key],
                  update={CampaignCount.total: CampaignCount.total + change,
                          CampaignCount.unique: CampaignCount.unique + int(first)})
     .execute())


def read(campaign_id: str) -> dict[str, dict[str, tuple[int, int]]]:
    """{type: {key: (total, unique)}} of one campaign."""
    counts: dict[str, dict[str, tuple[int, int]]] = {}
    for type, key, total, unique in CampaignCount.select(
            CampaignCount.type, CampaignCount.key, CampaignCount.total, CampaignCount.unique) \
            .where(CampaignCount.campaign == campaign_id).tuples():
        counts.setdefault(type, {})[key] = (total, unique)
    return counts


def recount(campaign_ids: Iterable[str]) -> None:
    """Count these campaigns from scratch, in one pass each (files written before counts were kept)."""
    for campaign_id in campaign_ids:
        totals: Counter[tuple[str, str]] = Counter()
        people: dict[tuple[str, str], set[str | None]] = {}
        rows = (Event.select(Event.type, Event.recipient, Event.data)
                .join(Email, on=(Event.email == Email.id))
                .where((Email.campaign_id == campaign_id) & (Event.type.in_(COUNTED_TYPES))).tuples())
        for type, recipient, data in rows:
            url = (data or {}).get("url") if type == events.CLICKED else None
            for key in ((type, ""), (type, url)) if url else ((type, ""),):
                totals[key] += 1
                people.setdefault(key, set()).add(recipient)
        for status, reason, count in CampaignRecipient.select(
                CampaignRecipient.status, CampaignRecipient.reason, peewee.fn.COUNT(CampaignRecipient.id)) \
                .where(CampaignRecipient.campaign == campaign_id) \
                .group_by(CampaignRecipient.status, CampaignRecipient.reason).tuples():
            totals[RECIPIENTS, status] += count
            if status == "skipped":
                totals[SKIPPED, reason or ""] += count
        CampaignCount.delete().where(CampaignCount.campaign == campaign_id).execute()
        counts = [{"campaign": campaign_id, "type": type, "key": key, "total": total,
                   "unique": len(people.get((type, key), ()))} for (type, key), total in totals.items()]
        for batch in peewee.chunked(counts, 500):  # per-link rows may be many (personalised links)
            CampaignCount.insert_many(batch).execute()


def count_older_campaigns() -> None:
    """At start: count campaigns that have recipients or email but no counts (a version that
    kept none wrote them)."""
    counted = CampaignCount.select(CampaignCount.campaign)
    with_email = Email.select(Email.campaign_id).where(Email.campaign_id.is_null(False)
                                                        & Email.campaign_id.not_in(counted))
    with_recipients = CampaignRecipient.select(CampaignRecipient.campaign).where(
        CampaignRecipient.campaign.not_in(counted))
    recount({campaign_id for (campaign_id,) in with_email.distinct().tuples()}
            | {campaign_id for (campaign_id,) in with_recipients.distinct().tuples()})
