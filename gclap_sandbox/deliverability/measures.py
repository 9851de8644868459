"""What the score measures, read from the event log and the marketing rows (DB thread).

Everything is counted per sending domain (the From address's domain) over two windows that
end at `now` on the sandbox clock: the last 7 days and the last 30 days.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

import peewee

from gclap_sandbox.deliverability.marketing import ONE_CLICK
from gclap_sandbox.events import record as events
from gclap_sandbox.models import Email, Event, MarketingEmail

WINDOWS = (7, 30)  # days
COUNTED = (events.SENT, events.DELIVERED, events.BOUNCED, events.SPAM, events.SUPPRESSED)
# Suppressed because the address hard-bounced, complained or unsubscribed before; "simulated"
# suppressions (the magic recipient) are a test's request, not a list the sender neglected.
NEGLECTED = ("hard_bounce", "spam_complaint", "unsubscribe")


@dataclass
class Counts:
    """One window's counts for one domain (or all of them)."""

    sent: int = 0  # recipients handed over (email.sent)
    delivered: int = 0
    hard_bounced: int = 0
    soft_bounced: int = 0
    complaints: int = 0  # email.spam
    suppressed: int = 0  # recipients not mailed because they were on the suppression list
    marketing: int = 0  # marketing emails captured
    one_click: int = 0  # ... of them with one-click unsubscribe

    def add(self, other: Counts) -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @property
    def attempted(self) -> int:
        """Recipients the sender tried to mail: sent plus those the suppression list held back."""
        return self.sent + self.suppressed


@dataclass
class Measured:
    """Counts per window (days -> Counts), per domain and for all domains together."""

    now: datetime
    by_domain: dict[str, dict[int, Counts]] = field(default_factory=dict)

    def window(self, days: int, domain: str | None = None) -> Counts:
        if domain is not None:
            return self.by_domain.get(domain, {}).get(days, Counts())
        total = Counts()
        for windows in self.by_domain.values():
            total.add(windows.get(days, Counts()))
        return total

    def domains(self) -> list[str]:
        return sorted(d for d in self.by_domain if d)


def domain_of(address: str | None) -> str:
    return (address or "").rpartition("@")[2].lower()


def measure(organization_id: str, now: datetime) -> Measured:
    measured = Measured(now=now)
    starts = {days: now - timedelta(days=days) for days in WINDOWS}
    oldest = starts[max(WINDOWS)]

    def counts(address: str | None, at: datetime) -> list[Counts]:
        windows = measured.by_domain.setdefault(domain_of(address), {days: Counts() for days in WINDOWS})
        return [windows[days] for days in WINDOWS if at > starts[days]]

    recent = peewee.fn.SUM(peewee.Case(None, [(Event.occurred_at > starts[min(WINDOWS)], 1)], 0))
    grouped = (Event.select(Email.from_address, Event.type, peewee.fn.COUNT(Event.id), recent)
               .join(Email, on=(Event.email == Email.id))
               .where((Event.organization == organization_id) & (Event.occurred_at > oldest)
                      & (Event.occurred_at <= now) & Event.type.in_([events.SENT, events.DELIVERED, events.SPAM]))
               .group_by(Email.from_address, Event.type).tuples())
    names = {events.SENT: "sent", events.DELIVERED: "delivered", events.SPAM: "complaints"}
    for address, event_type, total, in_recent in grouped:
        windows = measured.by_domain.setdefault(domain_of(address), {days: Counts() for days in WINDOWS})
        for days in WINDOWS:
            count = total if days == max(WINDOWS) else int(in_recent or 0)
            setattr(windows[days], names[event_type], getattr(windows[days], names[event_type]) + count)
    # Bounces and suppressions are few; their kind is in the event's data.
    detailed = (Event.select(Email.from_address, Event.type, Event.occurred_at, Event.data)
                .join(Email, on=(Event.email == Email.id))
                .where((Event.organization == organization_id) & (Event.occurred_at > oldest)
                       & (Event.occurred_at <= now) & Event.type.in_([events.BOUNCED, events.SUPPRESSED])).tuples())
    for address, event_type, at, data in detailed:
        data = data or {}
        for window in counts(address, at):
            if event_type == events.BOUNCED:
                if data.get("bounce_type") == "hard":
                    window.hard_bounced += 1
                else:
                    window.soft_bounced += 1
            elif data.get("reason") in NEGLECTED:
                window.suppressed += 1
    marketing = (MarketingEmail.select(MarketingEmail.domain, MarketingEmail.unsubscribe, MarketingEmail.created_at)
                 .where((MarketingEmail.organization == organization_id) & (MarketingEmail.created_at > oldest)
                        & (MarketingEmail.created_at <= now)).tuples())
    for domain, unsubscribe, at in marketing:
        for window in counts(f"@{domain}", at):
            window.marketing += 1
            window.one_click += unsubscribe == ONE_CLICK
    return measured


def recent_samples(organization_id: str, now: datetime, overall: int, per_domain: int, scanned: int
                   ) -> dict[str | None, list[str]]:
    """Email ids the content checks look at: the newest `overall` of the last 30 days (key None),
    and each domain's newest `per_domain` among the newest `scanned` (one query, bounded work)."""
    rows = (Email.select(Email.id, Email.from_address)
            .where((Email.organization == organization_id) & (Email.created_at > now - timedelta(days=max(WINDOWS)))
                   & (Email.created_at <= now) & ~Email.metadata.contains('"bounce_report_for"')
                   & ~Email.metadata.contains('"placement_test_id"'))
            .order_by(Email.created_at.desc()).limit(scanned).tuples())
    samples: dict[str | None, list[str]] = {None: []}
    for email_id, address in rows:
        if len(samples[None]) < overall:
            samples[None].append(email_id)
        mine = samples.setdefault(domain_of(address), [])
        if len(mine) < per_domain:
            mine.append(email_id)
    return samples
