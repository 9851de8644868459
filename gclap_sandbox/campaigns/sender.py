"""Sending a campaign: durable jobs on the sandbox clock (events/jobs.py), on the DB thread.

START_JOB runs at `send_at`: the audience's recipients are fixed (audience.fix_recipients) and
the campaign is `sending`. Then one BATCH_JOB at a time: each sends up to BATCH_SIZE recipients
(fewer once TIME_SLICE of real time is spent, so a costly template cannot hold the database
thread) in one unit of work, each recipient's email rendered for them and captured through
the one pipeline (pipeline/capture.py), then queues the next batch: at once, or paced by
`rate_per_minute` on the sandbox clock. The batch that finds nobody left marks the campaign
`sent` and publishes `campaign_completed` (once: only a `sending` campaign completes). A
cancelled campaign's remaining jobs find it cancelled and do nothing.

The delivery options (base URL of tracking links, simulation profile) travel in the job
payload, as the sandbox had them when sending was asked for.
"""
from __future__ import annotations

import dataclasses
import time
from datetime import timedelta
from typing import Any

from gclap_sandbox import clock
from gclap_sandbox.campaigns import audience, content, stats
from gclap_sandbox.errors import QuotaExceeded, ValidationFailed
from gclap_sandbox.events import jobs
from gclap_sandbox.models import Campaign, CampaignRecipient, Contact, Job, Template
from gclap_sandbox.pipeline.capture import capture_email
from gclap_sandbox.pipeline.incoming import DeliveryOptions
from gclap_sandbox.storage import database as db
from gclap_sandbox.templating.render import PARTS
from gclap_sandbox.webhooks.payloads import CAMPAIGN_COMPLETED

START_JOB = "campaign_start"
BATCH_JOB = "campaign_batch"
BATCH_SIZE = 200
TIME_SLICE = 0.05  # seconds of real time one batch may spend before leaving the rest to the next


def schedule_start(campaign: Campaign, options: DeliveryOptions) -> None:
    jobs.schedule(START_JOB, {"campaign_id": campaign.id, "options": dataclasses.asdict(options)},
                  at=campaign.send_at)


def start(payload: dict[str, Any], job: Job) -> None:
    """At `send_at`: fix the recipients, mark the campaign sending, queue its first batch."""
    campaign = Campaign.get_or_none(Campaign.id == payload["campaign_id"])
    if campaign is None or campaign.status != "scheduled":  # cancelled (or gone) meanwhile
        return
    counts = audience.fix_recipients(campaign.id, campaign.organization_id, campaign.audience)
    campaign.status, campaign.started_at = "sending", clock.now()
    campaign.recipient_count, campaign.updated_at = counts["total"], campaign.started_at
    campaign.save()
    jobs.schedule(BATCH_JOB, payload)


def _batch_size(campaign: Campaign) -> int:
    return min(BATCH_SIZE, campaign.rate_per_minute) if campaign.rate_per_minute else BATCH_SIZE


def parts_of(campaign: Campaign) -> dict[str, str | None] | None:
    """The sources each recipient's email renders from; None when its template is gone."""
    template_parts = None
    if campaign.template_id:
        template = Template.get_or_none(Template.id == campaign.template_id)
        if template is None:
            return None
        template_parts = {name: getattr(template, name) for name in PARTS}
    return content.merged_parts(template_parts, content.own_parts(campaign))


def send_batch(payload: dict[str, Any], job: Job) -> None:
    campaign = Campaign.get_or_none(Campaign.id == payload["campaign_id"])
    if campaign is None or campaign.status != "sending":
        return
    batch = list(CampaignRecipient.select().where(
        (CampaignRecipient.campaign == campaign.id) & (CampaignRecipient.status == "pending"))
        .order_by(CampaignRecipient.id).limit(_batch_size(campaign)))
    if batch:
        sent = _send(campaign, batch, DeliveryOptions(**payload["options"]))
        campaign.sent_count += sent
        campaign.save()
    more = CampaignRecipient.select(CampaignRecipient.id).where(
        (CampaignRecipient.campaign == campaign.id) & (CampaignRecipient.status == "pending")).exists()
    if more:
        done = sum(1 for row in batch if row.status != "pending")
        pause = 60.0 * done / campaign.rate_per_minute if campaign.rate_per_minute else 0.0
        jobs.schedule(BATCH_JOB, payload, at=clock.now() + timedelta(seconds=pause))
    else:
        complete(campaign)


def _send(campaign: Campaign, batch: list[CampaignRecipient], options: DeliveryOptions) -> int:
    """Capture each recipient's email (each in a savepoint); returns how many were sent."""
    parts = parts_of(campaign)
    contacts = {c.id: c for c in Contact.select().where(Contact.id.in_([row.contact_id for row in batch]))}
    deadline = time.perf_counter() + TIME_SLICE
    sent, handled = 0, []
    for row in batch:
        if handled and time.perf_counter() > deadline:
            break  # the rest goes in the next batch
        handled.append(row)
        contact = contacts.get(row.contact_id)
        if parts is None or contact is None:
            row.status, row.reason = "skipped", "template_deleted" if parts is None else "contact_deleted"
            continue
        try:
            with db.savepoint():
                rendered = content.render_for(parts, campaign.variables or {}, content.contact_dict(contact))
                data = content.send_request(campaign, rendered, contact.email)
                email = capture_email(content.incoming_for(campaign, data, options))
        except QuotaExceeded:
            row.status, row.reason = "skipped", "quota_exceeded"
        except ValidationFailed:  # the template cannot be rendered for this contact
            row.status, row.reason = "skipped", "render_failed"
        else:
            row.status, row.email_id = "sent", email.id
            sent += 1
    if handled:
        CampaignRecipient.bulk_update(handled, fields=[CampaignRecipient.status, CampaignRecipient.reason,
                                                       CampaignRecipient.email_id])
    return sent


def complete(campaign: Campaign) -> None:
    """sending -> sent, and `campaign.completed` with the stats of this moment."""
    campaign.status, campaign.completed_at = "sent", clock.now()
    campaign.updated_at = campaign.completed_at
    campaign.save()
    payload = completed_payload(campaign)
    db.current().bus.campaign_completed.publish(campaign.organization_id, payload)


def completed_payload(campaign: Campaign) -> dict[str, Any]:
    return {"type": CAMPAIGN_COMPLETED, "timestamp": clock.iso(campaign.completed_at), "data": {
        "campaign_id": campaign.id, "name": campaign.name, "tags": list(campaign.tags or []),
        "scheduled_for": clock.iso(campaign.send_at), "started_at": clock.iso(campaign.started_at),
        "completed_at": clock.iso(campaign.completed_at), "stats": stats.compute(campaign)}}
