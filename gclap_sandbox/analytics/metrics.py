"""One metric over one window of the sandbox clock, with optional filters (DB thread, reads only).

Email metrics follow a cohort: the emails sent in the window `(start, end]` (their `email.sent`,
narrowed by tag, campaign or sending domain), and what happened to each of their recipients by
`end`. So a
bounce counts against the email that bounced, however late it came, and an email leaves the
window as a whole once it is older than the window. Each recipient of each email counts once
per outcome (two opens are one opened recipient), as the dashboard's unique counts do.

    rates of sent emails       bounce_rate, hard_bounce_rate, delivery_rate
    rates of delivered ones    spam_complaint_rate, unsubscribe_rate, open_rate, click_rate
    counts                     emails_sent
    webhooks                   webhook_failure_rate: failed attempts of all attempts made in the window
    quota                      quota_used_percent: this calendar month's recipients of the plan's quota

Rates are fractions (0.05 is 5%), as the dashboard gives them; a rate over nothing has no
value (`None`), never 0. Sandbox mail (bounce reports, alert emails) has no events, so it
never counts.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import peewee

from gclap_sandbox.accounts import limits
from gclap_sandbox.events import record as events
from gclap_sandbox.models import (
    Email,
    EmailTag,
    Event,
    WebhookAttempt,
    WebhookDelivery,
)

HARD_BOUNCED = "hard_bounced"  # a kind of outcome that is not an event type of its own
_HARD_BOUNCE_DATA = '%"bounce_type":"hard"%'  # matched as text (converter=False): JSONField writes compact JSON


@dataclass(frozen=True)
class Metric:
    name: str
    label: str  # how people say it: "Bounce rate"
    kind: str  # "rate", "count" or "percent"
    counted: str | None = None  # the outcome counted (an event type, or HARD_BOUNCED)
    of: str | None = None  # for a rate: the outcome it is a share of (its volume)
    volume_label: str = ""  # what the volume is a number of: "emails sent"

    @property
    def is_email_metric(self) -> bool:
        return self.counted is not None

    @property
    def event_types(self) -> frozenset[str]:
        """The event types whose arrival can move this metric."""
        moved = {self.counted, self.of} - {None}
        return frozenset(events.BOUNCED if kind == HARD_BOUNCED else kind for kind in moved)


_SENT = "emails sent"
_DELIVERED = "emails delivered"
METRICS: dict[str, Metric] = {m.name: m for m in (
    Metric("bounce_rate", "Bounce rate", "rate", events.BOUNCED, events.SENT, _SENT),
    Metric("hard_bounce_rate", "Hard-bounce rate", "rate", HARD_BOUNCED, events.SENT, _SENT),
    Metric("spam_complaint_rate", "Spam-complaint rate", "rate", events.SPAM, events.DELIVERED, _DELIVERED),
    Metric("unsubscribe_rate", "Unsubscribe rate", "rate", events.UNSUBSCRIBED, events.DELIVERED, _DELIVERED),
    Metric("delivery_rate", "Delivery rate", "rate", events.DELIVERED, events.SENT, _SENT),
    Metric("open_rate", "Open rate", "rate", events.OPENED, events.DELIVERED, _DELIVERED),
    Metric("click_rate", "Click rate", "rate", events.CLICKED, events.DELIVERED, _DELIVERED),
    Metric("emails_sent", "Emails sent", "count", events.SENT),
    Metric("webhook_failure_rate", "Webhook failure rate", "rate", volume_label="webhook attempts"),
    Metric("quota_used_percent", "Monthly quota used", "percent"),
)}
RATE_METRICS = tuple(name for name, m in METRICS.items() if m.kind == "rate")
EMAIL_METRICS = tuple(name for name, m in METRICS.items() if m.is_email_metric)


@dataclass(frozen=True)
class Filters:
    tag: str | None = None
    campaign_id: str | None = None
    sending_domain: str | None = None  # the domain of the From address

    @classmethod
    def of(cls, data: dict[str, Any] | None) -> Filters:
        data = data or {}
        return cls(data.get("tag"), data.get("campaign_id"), data.get("sending_domain"))


@dataclass(frozen=True)
class Measurement:
    value: float | None  # None: a rate over nothing
    count: int  # what was counted (a rate's numerator)
    volume: int | None  # what a rate is a share of; None for counts and the quota
    start: datetime
    end: datetime
    # The earliest item inside the window: when it leaves, the value changes by itself.
    oldest: datetime | None = None


def measure(organization_id: str, metric: Metric, start: datetime, end: datetime,
            filters: Filters = Filters()) -> Measurement:
    """`metric` over `(start, end]` for the organization."""
    if metric.name == "webhook_failure_rate":
        return _webhook_failures(organization_id, start, end)
    if metric.name == "quota_used_percent":
        return _quota_used(organization_id, start, end)
    sent = _sent_in(organization_id, start, end, filters)
    cohort = sent.select(Event.email).distinct()
    counts = _outcomes(cohort, end, [kind for kind in (metric.counted, metric.of) if kind])
    first = sent.select(Event.occurred_at).order_by(Event.occurred_at).first()
    oldest = first.occurred_at if first is not None else None
    count = counts.get(metric.counted, 0)
    if metric.of is None:
        return Measurement(float(count), count, None, start, end, oldest)
    volume = counts.get(metric.of, 0)
    return Measurement(count / volume if volume else None, count, volume, start, end, oldest)


def _sent_in(organization_id: str, start: datetime, end: datetime, filters: Filters) -> peewee.ModelSelect:
    """The `email.sent` events of the window, of email the filters take: the cohort's emails.
    (The sandbox's own mail is never sent: it has no events.)"""
    query = Event.select().where((Event.organization == organization_id) & (Event.type == events.SENT)
                                 & (Event.occurred_at > start) & (Event.occurred_at <= end))
    if filters.tag:
        query = query.where(Event.email.in_(EmailTag.select(EmailTag.email).where(EmailTag.tag == filters.tag)))
    if filters.campaign_id or filters.sending_domain:
        emails = Email.select(Email.id)
        if filters.campaign_id:
            emails = emails.where(Email.campaign_id == filters.campaign_id)
        if filters.sending_domain:
            emails = emails.where(Email.from_address.endswith("@" + filters.sending_domain))
        query = query.where(Event.email.in_(emails))
    return query


def _outcomes(cohort: peewee.ModelSelect, end: datetime, kinds: list[str]) -> dict[str, int]:
    """Recipients of the cohort's emails with each outcome by `end` (each recipient once per kind)."""
    counts: dict[str, int] = {}
    for kind in kinds:
        pairs = Event.select(Event.email, Event.recipient).where(
            Event.email.in_(cohort) & (Event.occurred_at <= end)).distinct()
        if kind == HARD_BOUNCED:
            pairs = pairs.where((Event.type == events.BOUNCED)
                                 & (Event.data ** peewee.Value(_HARD_BOUNCE_DATA, converter=False)))
        else:
            pairs = pairs.where(Event.type == kind)
        counts[kind] = pairs.count()
    return counts


def _webhook_failures(organization_id: str, start: datetime, end: datetime) -> Measurement:
    attempts = WebhookAttempt.select().join(WebhookDelivery).where(
        (WebhookDelivery.organization == organization_id) & (WebhookAttempt.started_at > start)
        & (WebhookAttempt.started_at <= end))
    total = attempts.count()
    failed = attempts.where(WebhookAttempt.succeeded == False).count()  # noqa: E712
    first = attempts.select(WebhookAttempt.started_at).order_by(WebhookAttempt.started_at).first()
    return Measurement(failed / total if total else None, failed, total, start, end,
                       first.started_at if first is not None else None)


def _quota_used(organization_id: str, start: datetime, end: datetime) -> Measurement:
    """This month's use of the plan's quota at `end`, in percent (no value on a plan without one)."""
    quota = limits.load_plan(organization_id).emails_per_month
    used = limits.emails_used(organization_id, end)
    return Measurement(100.0 * used / quota if quota else None, used, None, start, end)
