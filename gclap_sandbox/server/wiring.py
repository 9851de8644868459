"""Who hears what: every subscription to a sandbox's event bus (events/bus.py), in one place.

When an email is captured (pipeline/capture.py), in its transaction:
    tags from plus-addresses and the X-Tags header are added (inbox/auto_tags.py, unless off);
    a relay is queued when --relay says so;
    deliverability notes marketing mail and its unsubscribe headers, and makes sure the nightly
    score snapshot (SNAPSHOT_JOB, a durable job at each midnight of the sandbox clock) is scheduled.
When an event is recorded (events/record.py), in its transaction, in this order:
    the suppression list learns of bounces, complaints and unsubscribes;
    a hard bounce drops a delivery status report into the inbox;
    the recipient's contact is kept current;
    the webhook outbox queues one signed delivery per subscribed endpoint;
    automation ends the runs of a contact who unsubscribed, and enrols the recipient per
    email-event triggers (an address that is no contact yet becomes one, as a custom event's does);
    alert configs whose metric the event moves are evaluated soon (alerts/schedule.py, coalesced);
    an event of a campaign's email is added to the campaign's running counts (its stats).
When contacts are created, or added to a list, one by the API (contacts/store.py) or many by a
CSV import (contacts/csv_import.py), in that transaction:
    automation enrols them in the workflows those trigger.
Once either is committed, on the event loop:
    long polls (`?wait=`) and open inbox pages hear of it; the relay worker wakes for new mail.
    Mail and events another process on the same database stored are published here the same way
    (server/peers.py: a NOTIFY sent in the writer's transaction on PostgreSQL, a poll on SQLite).
A job scheduled / a webhook delivery queued wakes its worker; a webhook attempt reaches open
Webhooks pages. Simulated outcomes are durable jobs of kind OUTCOME_JOB; automation waits
(RESUME_JOB) and daily date checks (DATE_JOB) are jobs too. Runs made ready wake the automation runner.
Campaigns start with durable jobs too (campaigns/sender.py): START_JOB at `send_at`, then FILL_JOBs
write the recipients a chunk at a time; the last makes a batch due (`campaigns_ready` wakes the
campaign runner), and BATCH_JOB makes the next one due when `rate_per_minute` paces it. The
runner renders each batch on the render threads and captures its emails through the pipeline
above in short units of work. When the last batch is done, `campaign_completed` is published
in its transaction: it is the
organization's event, not an email's, so it skips `record_event` and goes straight to the
webhook outbox (`outbox.on_organization_event`), signed and retried like every other delivery.
Alert configs are evaluated by durable jobs too (alerts/schedule.py, EVALUATE_JOB); a recorded
webhook attempt brings webhook-failure-rate alerts forward. When an alert fires or resolves,
`alert_changed` is published in the evaluation's transaction: the webhook outbox queues
`sandbox.alert.triggered` / `.resolved` for the config's endpoints and the type's subscribers,
and the alert email is captured into the inbox as the sandbox's own mail (alerts/notify.py).
Scheduled reports run as REPORT_JOB at each `next_run_at` (reports/run.py): the report's email is
captured as the sandbox's own mail (like a bounce report), and the next run is queued.
What operators see (observability/activity.py, `wire_activity`): each captured email, once committed,
each webhook attempt and each relay attempt log one line and move /metrics; committed events, rate
limit refusals and quota refusals move their counters.
"""
from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from gclap_sandbox.alerts import notify as alert_notify
from gclap_sandbox.alerts import schedule as alert_schedule
from gclap_sandbox.automation import runs as automation_runs
from gclap_sandbox.automation import triggers as automation_triggers
from gclap_sandbox.automation import workflows as automation_workflows
from gclap_sandbox.campaigns import counting as campaign_counting
from gclap_sandbox.campaigns import sender as campaign_sender
from gclap_sandbox.contacts import store as contacts
from gclap_sandbox.deliverability import history as deliverability_history
from gclap_sandbox.deliverability import marketing as deliverability_marketing
from gclap_sandbox.events.bus import EventBus, on_loop
from gclap_sandbox.inbox import auto_tags
from gclap_sandbox.pipeline import bounce_report, outcomes, suppressions
from gclap_sandbox.pipeline.delivery import OUTCOME_JOB
from gclap_sandbox.relay import store as relay_store
from gclap_sandbox.reports import run as report_runs
from gclap_sandbox.reports.store import REPORT_JOB
from gclap_sandbox.server import peers
from gclap_sandbox.webhooks import outbox

if TYPE_CHECKING:
    from gclap_sandbox.models import Email
    from gclap_sandbox.observability.activity import Activity
    from gclap_sandbox.pipeline.incoming import Incoming
    from gclap_sandbox.relay.config import RelayConfig
    from gclap_sandbox.server.context import AppContext


def wire_domains(bus: EventBus, relay: RelayConfig | None = None,
                 tag_sources: tuple[str, ...] = auto_tags.SOURCES) -> EventBus:
    """The DB-thread subscriptions: in place before the database thread runs anything."""
    if tag_sources:  # first, so the relay and the live inbox see the tags
        bus.email_stored.subscribe(auto_tags.subscriber(tag_sources))
    if relay is not None:
        def queue_relay(email: Email, incoming: Incoming) -> None:
            if incoming.lifecycle:  # not the sandbox's own mail (bounce reports)
                relay_store.enqueue_on_capture(relay, email)
        bus.email_stored.subscribe(queue_relay)
    bus.email_stored.subscribe(deliverability_marketing.on_email_stored)
    bus.email_stored.subscribe(deliverability_history.ensure_daily_job)
    bus.email_stored.subscribe(peers.announce_email)  # other processes' live pages hear of it
    bus.event_recorded.subscribe(suppressions.on_event)
    bus.event_recorded.subscribe(bounce_report.on_event)
    bus.event_recorded.subscribe(contacts.on_event)
    bus.event_recorded.subscribe(outbox.on_event)
    bus.event_recorded.subscribe(automation_triggers.on_event)
    bus.event_recorded.subscribe(alert_schedule.on_event)
    bus.event_recorded.subscribe(campaign_counting.on_event)
    bus.event_recorded.subscribe(peers.announce_event)  # other processes' live pages hear of it
    bus.contacts_created.subscribe(automation_triggers.on_contacts_created)
    bus.contact_added_to_list.subscribe(automation_triggers.on_added_to_list)
    bus.handle_jobs(OUTCOME_JOB, outcomes.run_scheduled_outcome, batch=outcomes.run_scheduled_outcomes)
    bus.handle_jobs(automation_runs.RESUME_JOB, automation_runs.resume)
    bus.handle_jobs(automation_workflows.DATE_JOB, automation_workflows.check_dates)
    bus.handle_jobs(campaign_sender.START_JOB, campaign_sender.start)
    bus.handle_jobs(campaign_sender.FILL_JOB, campaign_sender.fill)
    bus.handle_jobs(campaign_sender.BATCH_JOB, campaign_sender.batch_due)
    bus.campaign_completed.subscribe(outbox.on_organization_event)
    bus.handle_jobs(alert_schedule.EVALUATE_JOB, alert_schedule.run)
    bus.webhook_attempt_recorded.subscribe(alert_schedule.on_webhook_attempt)
    bus.alert_changed.subscribe(alert_notify.to_webhooks)
    bus.alert_changed.subscribe(alert_notify.to_inbox)
    bus.handle_jobs(REPORT_JOB, report_runs.run_scheduled)
    bus.handle_jobs(deliverability_history.SNAPSHOT_JOB, deliverability_history.take_snapshots)
    return bus


def wire_activity(bus: EventBus, activity: Activity) -> None:
    """The log lines and metrics (observability/activity.py); in place before anything runs."""
    bus.email_stored.subscribe(activity.on_email_stored)
    bus.event_committed.subscribe(activity.on_event_committed)
    bus.quota_exceeded.subscribe(activity.quota_exceeded)
    bus.webhook_attempted.subscribe(activity.webhook_attempted)
    bus.relay_attempted.subscribe(activity.relay_attempted)
    bus.rate_limited.subscribe(activity.rate_limited)


def wire_live(ctx: AppContext, loop: asyncio.AbstractEventLoop) -> None:
    """The loop-side subscriptions, once the workers they wake exist (server/workers.py)."""
    bus = ctx.bus
    inbox = ctx.db.loop_inbox(loop)  # shared with the units of work's results: one wake-up per batch
    live = [
        (bus.email_committed, on_loop(inbox, ctx.waiters.listener("emails"))),
        (bus.email_committed, on_loop(inbox, ctx.live.on_email)),
        (bus.event_committed, on_loop(inbox, ctx.waiters.listener("events"))),
        (bus.event_committed, on_loop(inbox, ctx.live.on_event)),
        (bus.jobs_scheduled, on_loop(inbox, ctx.jobs_worker.wake)),
        (bus.automation_ready, on_loop(inbox, ctx.automation.wake)),
        (bus.campaigns_ready, on_loop(inbox, ctx.campaigns.wake)),
        (bus.deliveries_queued, on_loop(inbox, ctx.webhooks.wake)),
        (bus.webhook_attempted, lambda org_id, summary: _publish_attempt(ctx, org_id, summary)),
    ]
    if ctx.relay_worker is not None:
        live.append((bus.email_committed, on_loop(inbox, ctx.relay_worker.wake)))
    for topic, subscriber in live:
        topic.subscribe(subscriber)
    ctx.live_subscriptions = live


def unwire_live(ctx: AppContext) -> None:
    for topic, subscriber in getattr(ctx, "live_subscriptions", []):
        topic.unsubscribe(subscriber)
    ctx.live_subscriptions = []


# What open pages hear of an attempt (the request's details are on the delivery's page).
_LIVE_ATTEMPT = ("id", "status", "endpoint_id", "attempt_count", "event_type")


def _publish_attempt(ctx: AppContext, organization_id: str, summary: dict[str, Any]) -> None:
    """A webhook attempt was recorded: open Webhooks pages show it."""
    ctx.live.publish(organization_id, "webhook", {k: v for k, v in summary.items() if k in _LIVE_ATTEMPT})
