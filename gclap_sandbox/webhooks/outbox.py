"""Deliveries: written in the same transaction as their event (an outbox), claimed when due,
and updated with each attempt's outcome. Everything here runs on the DB thread.

Statuses: `pending` (waiting for its first or next attempt), `succeeded` (a 2xx came back),
`failed` (the retry schedule ran out, or the endpoint answered 410 Gone), `skipped` (the
endpoint was disabled when the event happened; `replay_missed` queues it once re-enabled).
Nothing is dropped: every event an endpoint subscribes to becomes one of its deliveries.
"""
from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Sequence

import peewee

from gclap_sandbox import clock
from gclap_sandbox.errors import Conflict
from gclap_sandbox.events import due as due_rules
from gclap_sandbox.models import (
    Email,
    Event,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
)
from gclap_sandbox.models.webhooks import DELIVERY_STATUSES as STATUSES  # noqa: F401  (outbox.STATUSES)
from gclap_sandbox.models.webhooks import FAILED, PENDING, SKIPPED, SUCCEEDED
from gclap_sandbox.storage import bulk, claims
from gclap_sandbox.storage import database as db
from gclap_sandbox.webhooks import endpoints, health, payloads, schedule, signing

ENDPOINT_DISABLED = "endpoint disabled"  # the skipped_reason of events raised while it was off

_sequence = db.StoredSequence(WebhookDelivery.seq)


def _announce() -> None:
    """Tell the dispatcher (through the bus) once the new work is committed."""
    queued = db.current().bus.deliveries_queued
    if queued:
        db.after_commit(queued.publish)


def _add(organization_id: str, endpoint_id: str, event_type: str, body: str, *,
         event_id: str | None = None, email_id: str | None = None,
         skipped_reason: str | None = None) -> WebhookDelivery:
    now = clock.now()
    return bulk.create_fast(  # Model.create's row, with its statement built once (a delivery per event)
        WebhookDelivery, seq=_sequence.next(), organization=organization_id, endpoint=endpoint_id,
        message_id=signing.new_message_id(), event_type=event_type, event_id=event_id, email_id=email_id,
        body=body, status=SKIPPED if skipped_reason else PENDING, skipped_reason=skipped_reason,
        next_attempt_at=None if skipped_reason else now, created_at=now)


def on_event(event: Event, payload: dict[str, Any]) -> None:
    """On `event_recorded` (in its transaction): one delivery per endpoint subscribed to the type;
    a disabled endpoint's is recorded as skipped (never sent unless replayed)."""
    subscribed = endpoints.subscribed(event.organization_id, event.type)
    if not subscribed:
        return
    email = bulk.get_or_none(Email, id=event.email_id)  # as stored now (the API may have changed its tags)
    body = payloads.event_body(event, email)
    for endpoint_id, active in subscribed:
        _add(event.organization_id, endpoint_id, event.type, body, event_id=event.id, email_id=email.id,
             skipped_reason=None if active else ENDPOINT_DISABLED)
    if any(active for _, active in subscribed):
        _announce()


def on_organization_event(organization_id: str, payload: dict[str, Any], endpoint_ids: Sequence[str] = (),
                          to_subscribers: bool = True) -> list[str]:
    """An event that belongs to the organization rather than to one email (`campaign.completed`):
    one delivery of `payload` ({type, timestamp, data}) per endpoint subscribed to its type, in
    the publisher's transaction, like `on_event`. `endpoint_ids` (an alert's channels) get it too,
    subscribed or not; each endpoint once. Returns the deliveries' ids."""
    event_type = payload["type"]
    targets = dict(endpoints.subscribed(organization_id, event_type)) if to_subscribers else {}
    if endpoint_ids:
        targets.update((row.id, bool(row.active)) for row in WebhookEndpoint.select(
            WebhookEndpoint.id, WebhookEndpoint.active).where(
            WebhookEndpoint.id.in_(list(endpoint_ids)) & (WebhookEndpoint.organization == organization_id)))
    if not targets:
        return []
    body = payloads.dumps(payload)
    added = [_add(organization_id, endpoint_id, event_type, body,
                  skipped_reason=None if active else ENDPOINT_DISABLED).id for endpoint_id, active in targets.items()]
    if any(targets.values()):
        _announce()
    return added


def add_test(organization_id: str, endpoint_id: str) -> str:
    """POST /endpoints/{id}/test/: a `webhook.test` delivery, due now (even if the endpoint is off)."""
    endpoint = endpoints.get(organization_id, endpoint_id)
    delivery = _add(organization_id, endpoint.id, payloads.TEST_EVENT, payloads.test_body(endpoint.id))
    # Not due: the API posts it at once itself (Dispatcher.send_now); later retries are scheduled.
    delivery.next_attempt_at = None
    delivery.save()
    return delivery.id


# --- the dispatcher's side ---------------------------------------------------------------

@dataclass(frozen=True)
class Work:
    """A delivery ready to post: where, what, and the secrets to sign it with."""

    delivery_id: str
    endpoint_id: str
    email_id: str | None
    url: str
    message_id: str
    body: str
    secrets: tuple[str, ...]
    organization_id: str = ""  # whose clock its attempts are timed on

    @property
    def order_key(self) -> tuple[str, str]:
        """Deliveries sharing this key go out one after another, in creation order."""
        return self.endpoint_id, self.email_id or self.delivery_id


def _pending() -> peewee.Expression:
    """Waiting for an attempt that this process may make (no other holds it: storage/claims.py)."""
    active = WebhookEndpoint.active == True  # noqa: E712
    return (WebhookDelivery.status == PENDING) & active & claims.takeable(WebhookDelivery)


def _due(limit: datetime | None, only: list[str] | None = None) -> peewee.ModelSelect:
    """Pending deliveries of active endpoints due by `limit` (None: each on its organization's
    clock now; events/due.py); or exactly the `only` ones."""
    query = WebhookDelivery.select().join(WebhookEndpoint)
    if only is not None:
        return query.where(WebhookDelivery.id.in_(only))
    return query.where(_pending() & due_rules.condition(WebhookDelivery.next_attempt_at,
                                                        WebhookDelivery.organization, limit))


LEASE_SECONDS = 60.0  # beyond the attempts' own timeouts: how long a stopped process holds its deliveries


def claim_due(exclude: list[str], limit: int, only: list[str] | None = None,
              attempt_seconds: float = 10.0) -> list[Work]:
    """Deliveries due now (oldest first), skipping those already being posted, by this process
    (`exclude`) or another on the database (a lease, storage/claims.py). Each is leased for the
    attempts queued before it in its order (`attempt_seconds` each) and LEASE_SECONDS more."""
    query = _due(None, only).select(
        WebhookDelivery.id, WebhookDelivery.organization, WebhookDelivery.email_id, WebhookDelivery.message_id, WebhookDelivery.body,
        WebhookEndpoint.id, WebhookEndpoint.url, WebhookEndpoint.secret, WebhookEndpoint.previous_secret,
        WebhookEndpoint.previous_secret_expires_at)
    if exclude:
        query = query.where(WebhookDelivery.id.not_in(exclude))
    query = query.where(claims.takeable(WebhookDelivery))
    query = claims.lock_rows(query.order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.seq).limit(limit))
    work, spans, queued = [], {}, Counter[tuple[str, str]]()
    for row in query:
        endpoint = row.endpoint
        item = Work(row.id, endpoint.id, row.email_id, endpoint.url, row.message_id, row.body,
                    tuple(endpoints.live_secrets(endpoint)), row.organization_id)
        queued[item.order_key] += 1
        spans[item.delivery_id] = LEASE_SECONDS + attempt_seconds * queued[item.order_key]
        work.append(item)
    taken = claims.lease(WebhookDelivery, list(spans), spans)
    return [item for item in work if item.delivery_id in taken]


def next_due(limit: datetime) -> datetime | None:
    """The soonest pending delivery's due time, by `limit` on the clock in hand."""
    first = due_rules.earliest(WebhookDelivery.next_attempt_at, WebhookDelivery.organization,
                               WebhookDelivery.id.in_(WebhookDelivery.select(WebhookDelivery.id)
                                                      .join(WebhookEndpoint).where(_pending())))
    return first if first is not None and first <= limit else None


@dataclass
class AttemptResult:
    url: str
    started_at: datetime  # sandbox clock
    request_headers: dict[str, str]
    request_body: str
    duration_ms: float
    status: int | None = None
    response_headers: dict[str, str] | None = None
    response_body: str | None = None
    response_truncated: bool = False
    error: str | None = None

    @property
    def succeeded(self) -> bool:
        return self.error is None and self.status is not None and 200 <= self.status < 300


def record_attempt(delivery_id: str, result: AttemptResult, disable_after: float) -> dict[str, Any] | None:
    """Store the attempt and decide what follows: done, retry later, give up, disable the endpoint
    (once it has failed continuously for `disable_after` seconds; 0: never).
    Returns the delivery's summary (None when it is gone)."""
    delivery = WebhookDelivery.get_or_none(WebhookDelivery.id == delivery_id)
    if delivery is None:  # its endpoint was deleted meanwhile, or retention pruned its email
        return None
    with clock.for_organization(delivery.organization_id):  # its retry falls due on its organization's clock
        return _record(delivery, result, disable_after)


def _record(delivery: WebhookDelivery, result: AttemptResult, disable_after: float) -> dict[str, Any]:
    delivery.attempt_count += 1
    for column, value in claims.released().items():
        setattr(delivery, column, value)
    WebhookAttempt.create(
        delivery=delivery.id, number=delivery.attempt_count, url=result.url, started_at=result.started_at,
        request_headers=result.request_headers, request_body=result.request_body,
        response_status=result.status, response_headers=result.response_headers,
        response_body=result.response_body, response_truncated=result.response_truncated,
        duration_ms=round(result.duration_ms, 3), error=result.error, succeeded=result.succeeded)
    delivery.last_attempt_at, delivery.last_response_status = result.started_at, result.status
    delivery.last_error = result.error
    endpoint_id = delivery.endpoint_id
    db.current().bus.webhook_attempt_recorded.publish(delivery.organization_id)
    if result.succeeded:
        delivery.status, delivery.next_attempt_at = SUCCEEDED, None
        delivery.save()
        WebhookEndpoint.update(consecutive_failures=0, failing_since=None).where(
            (WebhookEndpoint.id == endpoint_id) & ((WebhookEndpoint.consecutive_failures != 0)
                                                   | WebhookEndpoint.failing_since.is_null(False))).execute()
        return _summary(delivery)
    endpoint = _count_failure(endpoint_id, result.started_at)
    delivery.round_attempts += 1
    if result.status == 410:
        delivery.status, delivery.next_attempt_at = FAILED, None
        endpoints.disable(endpoint_id, "The endpoint answered 410 Gone.")
    else:
        retry_after = schedule.parse_retry_after((result.response_headers or {}).get("retry-after"))
        delay = schedule.next_delay(delivery.round_attempts, retry_after)
        if delay is None:
            delivery.status, delivery.next_attempt_at = FAILED, None
        else:
            delivery.next_attempt_at = clock.now() + timedelta(seconds=delay)
        if endpoint.active and health.disables(endpoint.failing_since, clock.now(), disable_after):
            endpoints.disable(endpoint_id, _failing_reason(endpoint, disable_after, result))
    delivery.save()
    return _summary(delivery)


def _count_failure(endpoint_id: str, failed_at: datetime) -> WebhookEndpoint:
    """One more failure in the endpoint's streak; the streak starts now if it had none."""
    endpoint = WebhookEndpoint.get_by_id(endpoint_id)
    endpoint.consecutive_failures += 1
    if endpoint.failing_since is None:
        endpoint.failing_since = failed_at
    WebhookEndpoint.update(consecutive_failures=endpoint.consecutive_failures,
                           failing_since=endpoint.failing_since).where(WebhookEndpoint.id == endpoint_id).execute()
    return endpoint


def _failing_reason(endpoint: WebhookEndpoint, span: float, result: AttemptResult) -> str:
    since = endpoint.failing_since.strftime("%Y-%m-%d %H:%M UTC")
    return (f"Every delivery attempt failed for {health.describe_span(span)} or more (since {since}; "
            f"{endpoint.consecutive_failures} attempts, the last: {_describe(result)}).")


def _summary(delivery: WebhookDelivery) -> dict[str, Any]:
    return {"organization_id": delivery.organization_id, "id": delivery.id, "status": delivery.status,
            "endpoint_id": delivery.endpoint_id, "attempt_count": delivery.attempt_count,
            "event_type": delivery.event_type}


def _describe(result: AttemptResult) -> str:
    return f"HTTP {result.status}" if result.status is not None else (result.error or "no answer")


# --- the delivery log --------------------------------------------------------------------

def serialize(delivery: WebhookDelivery) -> dict[str, Any]:
    return {
        "id": delivery.id, "webhook_id": delivery.message_id, "endpoint_id": delivery.endpoint_id,
        "event_type": delivery.event_type, "event_id": delivery.event_id, "email_id": delivery.email_id,
        "status": delivery.status, "attempt_count": delivery.attempt_count,
        "next_attempt_at": clock.iso(delivery.next_attempt_at),
        "last_attempt_at": clock.iso(delivery.last_attempt_at),
        "last_response_status": delivery.last_response_status, "last_error": delivery.last_error,
        "skipped_reason": delivery.skipped_reason, "replayed_at": clock.iso(delivery.replayed_at),
        "created_at": clock.iso(delivery.created_at),
    }


def serialize_attempt(attempt: WebhookAttempt) -> dict[str, Any]:
    return {
        "number": attempt.number, "url": attempt.url, "started_at": clock.iso(attempt.started_at),
        "succeeded": attempt.succeeded, "duration_ms": attempt.duration_ms, "error": attempt.error,
        "request": {"headers": attempt.request_headers, "body": attempt.request_body},
        "response": None if attempt.response_status is None else {
            "status": attempt.response_status, "headers": attempt.response_headers,
            "body": attempt.response_body, "truncated": attempt.response_truncated},
    }


def _get(organization_id: str, delivery_id: str) -> WebhookDelivery:
    return db.owned(WebhookDelivery, organization_id, delivery_id, f"No webhook delivery {delivery_id}.")


def show(organization_id: str, delivery_id: str) -> dict[str, Any]:
    delivery = _get(organization_id, delivery_id)
    attempts = WebhookAttempt.select().where(WebhookAttempt.delivery == delivery.id) \
        .order_by(WebhookAttempt.number)
    return {**serialize(delivery), "payload": json.loads(delivery.body),
            "attempts": [serialize_attempt(a) for a in attempts]}


def list_deliveries(organization_id: str, filters: dict[str, Any], offset: int, limit: int
                    ) -> tuple[int, list[dict[str, Any]]]:
    query = WebhookDelivery.select().where(WebhookDelivery.organization == organization_id)
    if filters.get("endpoint"):
        query = query.where(WebhookDelivery.endpoint == filters["endpoint"])
    if filters.get("event_type"):
        query = query.where(WebhookDelivery.event_type == filters["event_type"])
    if filters.get("status"):
        query = query.where(WebhookDelivery.status == filters["status"])
    if filters.get("email"):
        query = query.where(WebhookDelivery.email_id == filters["email"])
    rows = query.order_by(WebhookDelivery.seq.desc()).offset(offset).limit(limit)
    return query.count(), [serialize(row) for row in rows]


def _require_active(endpoint: WebhookEndpoint, doing: str) -> None:
    if not endpoint.active:
        reason = (endpoint.disabled_reason or "no reason recorded").rstrip(".")
        raise Conflict(f"The endpoint is disabled: {reason}. Re-enable it (PATCH active=true) before {doing}.",
                       slug="endpoint-disabled")


def _queued_now() -> dict[str, Any]:
    """The columns that (re)queue a delivery: due now, with a fresh retry schedule."""
    return {"status": PENDING, "round_attempts": 0, "next_attempt_at": clock.now()}


def redeliver(organization_id: str, delivery_id: str) -> dict[str, Any]:
    """Queue a delivery again now, with the same webhook-id and body and a fresh retry schedule
    (a skipped one is sent for the first time)."""
    delivery = _get(organization_id, delivery_id)
    _require_active(WebhookEndpoint.get_by_id(delivery.endpoint_id), "redelivering")
    if delivery.status == SKIPPED:
        delivery.skipped_reason, delivery.replayed_at = None, clock.now()
    for column, value in _queued_now().items():
        setattr(delivery, column, value)
    delivery.save()
    _announce()
    return serialize(delivery)


def replay_missed(organization_id: str, endpoint_id: str, since: datetime | None = None) -> dict[str, Any]:
    """Queue the endpoint's skipped deliveries (created at or after `since`; all without it), each
    once and oldest first: they keep their webhook-id and body, and go out like new ones."""
    endpoint = endpoints.get(organization_id, endpoint_id)
    _require_active(endpoint, "replaying what it missed")
    missed = (WebhookDelivery.endpoint == endpoint.id) & (WebhookDelivery.status == SKIPPED)
    if since is not None:
        missed &= WebhookDelivery.created_at >= since
    replayed = WebhookDelivery.update(**_queued_now(), skipped_reason=None, replayed_at=clock.now()) \
        .where(missed).execute()
    if replayed:
        _announce()
    return {"replayed": replayed, "since": clock.iso(since), "endpoint": endpoints.full(endpoint)}
