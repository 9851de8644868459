"""Sending a campaign: the database side (DB thread). The runner (runner.py) drives it from the loop.

START_JOB runs at `send_at`: the campaign is `sending`, and FILL_JOBs write its recipients,
FILL_CHUNK contacts per unit of work (audience.fill_recipients), then mark its first batch due
(`batch_due_at`, and `campaigns_ready` on the bus once committed). The runner then takes one
batch at a time: `claim` reads up to BATCH_SIZE pending recipients; their emails render on the
render threads (content.prepare); `capture` stores them through the one capture pipeline, as
many as fit in TIME_SLICE per unit of work, each recipient marked sent in the same unit as its
email (so a restart never sends one twice); `finish_batch` makes the next batch due at once, or
after a BATCH_JOB on the sandbox clock when `rate_per_minute` paces it. The batch that finds
nobody left marks the campaign `sent` and publishes `campaign_completed` (once: only a
`sending` campaign completes). A cancelled campaign is left alone by every step.
"""
from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from gclap_sandbox import clock
from gclap_sandbox.campaigns import audience, content, counting, stats
from gclap_sandbox.errors import QuotaExceeded
from gclap_sandbox.events import due as due_rules
from gclap_sandbox.events import jobs
from gclap_sandbox.models import Campaign, CampaignRecipient, Contact, Job, Template
from gclap_sandbox.pipeline.capture import capture_email
from gclap_sandbox.pipeline.incoming import Incoming
from gclap_sandbox.storage import database as db
from gclap_sandbox.templating.render import PARTS
from gclap_sandbox.webhooks.payloads import CAMPAIGN_COMPLETED

START_JOB = "campaign_start"
FILL_JOB = "campaign_fill"
BATCH_JOB = "campaign_batch"
FILL_CHUNK = 1000  # recipients written per unit of work
BATCH_SIZE = 200  # recipients claimed at a time (fewer with a lower rate_per_minute)
TIME_SLICE = 0.02  # seconds of real time one capture unit of work may spend before leaving the rest


def schedule_start(campaign: Campaign) -> None:
    jobs.schedule(START_JOB, {"campaign_id": campaign.id}, at=campaign.send_at)


def _sending(campaign_id: str) -> Campaign | None:
    campaign = Campaign.get_or_none(Campaign.id == campaign_id)
    return campaign if campaign is not None and campaign.status == "sending" else None


def start(payload: dict[str, Any], job: Job) -> None:
    """At `send_at`: the campaign is sending; its recipients are written next."""
    campaign = Campaign.get_or_none(Campaign.id == payload["campaign_id"])
    if campaign is None or campaign.status != "scheduled":  # cancelled (or gone) meanwhile
        return
    campaign.status, campaign.started_at = "sending", clock.now()
    campaign.updated_at = campaign.started_at
    campaign.save()
    jobs.schedule(FILL_JOB, {"campaign_id": campaign.id, "after": None})


def fill(payload: dict[str, Any], job: Job) -> None:
    """Write the next chunk of recipients; after the last, the first batch is due."""
    campaign = _sending(payload["campaign_id"])
    if campaign is None:
        return
    after = payload.get("after")
    key = (datetime.fromisoformat(after[0]), after[1]) if after else None
    written, last = audience.fill_recipients(campaign.id, campaign.organization_id, campaign.audience,
                                             campaign.started_at, key, FILL_CHUNK)
    if written == FILL_CHUNK and last is not None:
        # Full precision (not clock.iso's milliseconds): the key must name the contact exactly.
        jobs.schedule(FILL_JOB, {"campaign_id": campaign.id, "after": [last[0].isoformat(), last[1]]})
        return
    campaign.recipient_count = CampaignRecipient.select().where(CampaignRecipient.campaign == campaign.id).count()
    _batch_due(campaign, clock.now())


def _batch_due(campaign: Campaign, at: datetime) -> None:
    campaign.batch_due_at = at
    campaign.save()
    bus = db.current().bus
    if bus.campaigns_ready:
        db.after_commit(bus.campaigns_ready.publish)


def batch_due(payload: dict[str, Any], job: Job) -> None:
    """The BATCH_JOB handler: a paced campaign's next batch may go."""
    campaign = _sending(payload["campaign_id"])
    if campaign is not None:
        _batch_due(campaign, job.run_at)


def next_due(limit: datetime) -> datetime | None:
    """The soonest due batch by `limit`, of the organization in hand (events/due.py)."""
    return Campaign.select(Campaign.batch_due_at).where(
        (Campaign.status == "sending") & due_rules.condition(Campaign.batch_due_at, Campaign.organization, limit)) \
        .order_by(Campaign.batch_due_at).scalar()


def due_ids(limit: datetime | None = None) -> list[tuple[str, str]]:
    """(id, organization id) of campaigns with a batch due (None: each on its organization's clock now)."""
    return [(campaign_id, organization_id) for (campaign_id, organization_id) in Campaign.select(
        Campaign.id, Campaign.organization).where(
        (Campaign.status == "sending") & due_rules.condition(Campaign.batch_due_at, Campaign.organization, limit))
        .order_by(Campaign.batch_due_at, Campaign.id).tuples()]


def parts_of(campaign: Campaign) -> dict[str, str | None] | None:
    """The sources each recipient's email renders from; None when its template is gone."""
    template_parts = None
    if campaign.template_id:
        template = Template.get_or_none(Template.id == campaign.template_id)
        if template is None:
            return None
        template_parts = {name: getattr(template, name) for name in PARTS}
    return content.merged_parts(template_parts, content.own_parts(campaign))


@dataclass(frozen=True)
class Batch:
    """Recipients to send to, with what their emails are made of (read on the DB thread, used off it)."""

    campaign: Campaign
    parts: dict[str, str | None]
    people: list[tuple[int, dict[str, Any]]]  # (recipient id, `contact`)


def _batch_size(campaign: Campaign) -> int:
    return min(BATCH_SIZE, campaign.rate_per_minute) if campaign.rate_per_minute else BATCH_SIZE


def claim(campaign_id: str) -> Batch | None:
    """The next pending recipients of a campaign whose batch is due; those that cannot be sent
    (their contact or the template is gone) are marked skipped at once."""
    campaign = _sending(campaign_id)
    if campaign is None or campaign.batch_due_at is None or campaign.batch_due_at > clock.now():
        return None
    rows = list(CampaignRecipient.select(CampaignRecipient.id, CampaignRecipient.contact_id).where(
        (CampaignRecipient.campaign == campaign.id) & (CampaignRecipient.status == "pending"))
        .order_by(CampaignRecipient.id).limit(_batch_size(campaign)).tuples())
    parts = parts_of(campaign)
    contacts = {c.id: c for c in Contact.select().where(Contact.id.in_([cid for _, cid in rows]))}
    people, lost = [], []
    for recipient_id, contact_id in rows:
        contact = contacts.get(contact_id)
        if parts is None or contact is None:
            lost.append((recipient_id, "template_deleted" if parts is None else "contact_deleted"))
        else:
            people.append((recipient_id, content.contact_dict(contact)))
    for recipient_id, reason in lost:
        CampaignRecipient.update(status="skipped", reason=reason).where(CampaignRecipient.id == recipient_id).execute()
    if lost:
        counting.move_recipients(campaign.id, Counter(("skipped", reason) for _, reason in lost),
                                 left=Counter({("pending", None): len(lost)}))
    return Batch(campaign, parts or {}, people)


Prepared = tuple[int, Incoming | str]  # (recipient id, its email, or why it was skipped)


def capture(campaign_id: str, prepared: list[Prepared]) -> int:
    """Store the prepared emails in order through the capture pipeline, each in a savepoint,
    until TIME_SLICE is spent; returns how many of `prepared` were dealt with (the caller
    sends the rest in another unit of work). A recipient no longer pending is passed over."""
    campaign = _sending(campaign_id)
    if campaign is None:
        return len(prepared)
    ids = [recipient_id for recipient_id, _ in prepared]
    pending = {rid for (rid,) in CampaignRecipient.select(CampaignRecipient.id).where(
        CampaignRecipient.id.in_(ids) & (CampaignRecipient.status == "pending")).tuples()}
    deadline = time.perf_counter() + TIME_SLICE
    done, sent = 0, 0
    moved: Counter[counting.Place] = Counter()
    for recipient_id, made in prepared:
        if done and time.perf_counter() > deadline:
            break
        done += 1
        if recipient_id not in pending:
            continue
        status, reason, email_id = "skipped", made if isinstance(made, str) else None, None
        if not isinstance(made, str):
            try:
                with db.savepoint():
                    email_id = capture_email(made).id
                status, sent = "sent", sent + 1
            except QuotaExceeded:
                reason = "quota_exceeded"
        CampaignRecipient.update(status=status, reason=reason, email_id=email_id) \
            .where(CampaignRecipient.id == recipient_id).execute()
        moved[status, reason] += 1
    if sent:
        Campaign.update(sent_count=Campaign.sent_count + sent).where(Campaign.id == campaign.id).execute()
    counting.move_recipients(campaign.id, moved, left=Counter({("pending", None): sum(moved.values())}))
    return done


def finish_batch(campaign_id: str, handled: int) -> bool:
    """After a batch: the next is due now (True: the runner goes on), or after a BATCH_JOB when
    the rate paces it; with nobody left, the campaign is sent."""
    campaign = _sending(campaign_id)
    if campaign is None:
        return False
    more = CampaignRecipient.select(CampaignRecipient.id).where(
        (CampaignRecipient.campaign == campaign.id) & (CampaignRecipient.status == "pending")).exists()
    if not more:
        complete(campaign)
        return False
    pause = 60.0 * handled / campaign.rate_per_minute if campaign.rate_per_minute else 0.0
    if pause:
        campaign.batch_due_at = None
        campaign.save()
        jobs.schedule(BATCH_JOB, {"campaign_id": campaign.id}, at=clock.now() + timedelta(seconds=pause))
        return False
    campaign.batch_due_at = clock.now()
    campaign.save()
    return True


def complete(campaign: Campaign) -> None:
    """sending -> sent, and `campaign.completed` with the stats of this moment."""
    campaign.status, campaign.completed_at = "sent", clock.now()
    campaign.updated_at, campaign.batch_due_at = campaign.completed_at, None
    campaign.save()
    payload = completed_payload(campaign)
    db.current().bus.campaign_completed.publish(campaign.organization_id, payload)


def completed_payload(campaign: Campaign) -> dict[str, Any]:
    return {"type": CAMPAIGN_COMPLETED, "timestamp": clock.iso(campaign.completed_at), "data": {
        "campaign_id": campaign.id, "name": campaign.name, "tags": list(campaign.tags or []),
        "scheduled_for": clock.iso(campaign.send_at), "started_at": clock.iso(campaign.started_at),
        "completed_at": clock.iso(campaign.completed_at), "stats": stats.compute(campaign)}}
