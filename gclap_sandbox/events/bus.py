"""The event bus: one per sandbox, built by the app factory and wired in one place.

Topics say where their subscribers run. "stored"/"recorded" topics run on the DB thread
inside the unit of work that published them, so what a subscriber writes commits (or rolls
back) with it. "committed" topics run on the DB thread once that unit of work has committed;
subscribers that touch the event loop hop onto it themselves (`on_loop`). `server/wiring.py`
subscribes every domain; reading it tells what happens when an email is captured or an event
is recorded.

Durable jobs are routed by kind through `job_handlers` (events/jobs.py runs them); a kind may
also have a batch handler that runs several of its due jobs at once, with the same effects.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Generic, TypeVar

from gclap_sandbox.loop_inbox import LoopInbox

if TYPE_CHECKING:
    from gclap_sandbox.models import Email, Event, Job
    from gclap_sandbox.pipeline.incoming import Incoming

log = logging.getLogger("gclap_sandbox.bus")
F = TypeVar("F", bound=Callable[..., Any])


class Topic(Generic[F]):
    """Subscribers called in the order they subscribed; a failure propagates to the publisher
    (inside a unit of work that rolls it back), unless the topic is `isolated`."""

    def __init__(self, name: str, isolated: bool = False) -> None:
        self.name = name
        self.isolated = isolated  # a failing subscriber is logged, the others still run
        self._subscribers: list[F] = []

    def subscribe(self, fn: F) -> F:
        self._subscribers.append(fn)
        return fn

    def unsubscribe(self, fn: F) -> None:
        if fn in self._subscribers:
            self._subscribers.remove(fn)

    def __bool__(self) -> bool:
        return bool(self._subscribers)

    def publish(self, *args: Any) -> None:
        for fn in list(self._subscribers):
            if not self.isolated:
                fn(*args)
                continue
            try:
                fn(*args)
            except Exception:
                log.exception("a subscriber of %s failed", self.name)


JobHandler = Callable[[dict[str, Any], "Job"], None]
# Runs several due jobs of one kind and one organization, in order, exactly as the kind's
# JobHandler would one by one (events/jobs.py falls back to that when it raises).
JobBatchHandler = Callable[[list["Job"]], None]


@dataclass
class EventBus:
    # An email was stored (DB thread, in the capture's transaction): fn(email, incoming).
    email_stored: Topic[Callable[[Email, Incoming], None]] = field(
        default_factory=lambda: Topic("email_stored"))
    # ... and committed (DB thread, after commit): fn(organization_id, summary dict).
    email_committed: Topic[Callable[[str, dict[str, Any]], None]] = field(
        default_factory=lambda: Topic("email_committed", isolated=True))
    # An event was recorded (DB thread, in the recording transaction): fn(event, payload dict).
    event_recorded: Topic[Callable[[Event, dict[str, Any]], None]] = field(
        default_factory=lambda: Topic("event_recorded"))
    # ... and committed (DB thread, after commit): fn(organization_id, payload dict).
    event_committed: Topic[Callable[[str, dict[str, Any]], None]] = field(
        default_factory=lambda: Topic("event_committed", isolated=True))
    # Contacts were created, one by the API or many by a CSV import (DB thread, in that
    # transaction): fn(organization_id, contact_ids).
    contacts_created: Topic[Callable[[str, list[str]], None]] = field(
        default_factory=lambda: Topic("contacts_created"))
    # Contacts newly became members of a list (DB thread, in that transaction): fn(list_id, contact_ids).
    contact_added_to_list: Topic[Callable[[str, list[str]], None]] = field(
        default_factory=lambda: Topic("contact_added_to_list"))
    # Automation runs became ready to take their next step (DB thread, after commit): fn().
    automation_ready: Topic[Callable[[], None]] = field(
        default_factory=lambda: Topic("automation_ready", isolated=True))
    # A campaign has a batch of recipients ready to send (DB thread, after commit): fn().
    campaigns_ready: Topic[Callable[[], None]] = field(
        default_factory=lambda: Topic("campaigns_ready", isolated=True))
    # A campaign was sent to every recipient (DB thread, in the transaction of its last batch):
    # fn(organization_id, payload {type, timestamp, data}). Not an email event: it has no email.
    campaign_completed: Topic[Callable[[str, dict[str, Any]], None]] = field(
        default_factory=lambda: Topic("campaign_completed"))
    # An alert config fired or resolved (DB thread, in the evaluation's transaction):
    # fn(organization_id, payload {type, timestamp, data}, channels {emails, webhook_endpoint_ids}).
    alert_changed: Topic[Callable[[str, dict[str, Any], dict[str, Any]], None]] = field(
        default_factory=lambda: Topic("alert_changed"))
    # A webhook attempt was recorded (DB thread, in its transaction): fn(organization_id).
    webhook_attempt_recorded: Topic[Callable[[str], None]] = field(
        default_factory=lambda: Topic("webhook_attempt_recorded"))
    # A job was scheduled / a webhook delivery queued (DB thread, after commit): fn().
    jobs_scheduled: Topic[Callable[[], None]] = field(
        default_factory=lambda: Topic("jobs_scheduled", isolated=True))
    deliveries_queued: Topic[Callable[[], None]] = field(
        default_factory=lambda: Topic("deliveries_queued", isolated=True))
    # A webhook attempt was recorded (loop): fn(organization_id, delivery summary dict).
    webhook_attempted: Topic[Callable[[str, dict[str, Any]], None]] = field(
        default_factory=lambda: Topic("webhook_attempted", isolated=True))
    # A relay attempt was recorded (loop): fn({email_id, attempt, code, message, status}).
    relay_attempted: Topic[Callable[[dict[str, Any]], None]] = field(
        default_factory=lambda: Topic("relay_attempted", isolated=True))
    # A request or SMTP message was refused by the plan's rate limit (loop): fn(organization_id).
    rate_limited: Topic[Callable[[str], None]] = field(
        default_factory=lambda: Topic("rate_limited", isolated=True))
    # An email was refused by the monthly quota (DB thread, in the unit of work that is about to
    # roll back, so subscribers must not write): fn(organization_id).
    quota_exceeded: Topic[Callable[[str], None]] = field(
        default_factory=lambda: Topic("quota_exceeded", isolated=True))
    # Durable job kinds and the DB-thread function that runs each.
    job_handlers: dict[str, JobHandler] = field(default_factory=dict)
    job_batch_handlers: dict[str, JobBatchHandler] = field(default_factory=dict)

    def handle_jobs(self, kind: str, handler: JobHandler, batch: JobBatchHandler | None = None) -> None:
        self.job_handlers[kind] = handler
        if batch is not None:
            self.job_batch_handlers[kind] = batch


def on_loop(inbox: LoopInbox, fn: Callable[..., None]) -> Callable[..., None]:
    """Wrap a loop-side subscriber so a DB-thread publish reaches it on the loop (through the
    loop's inbox: a batch's publishes wake the loop once)."""
    def hop(*args: Any) -> None:
        inbox.post(fn, *args)
    return hop
