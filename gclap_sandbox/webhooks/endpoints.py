"""The endpoint registry: create, list, change, delete, rotate the secret (DB thread)."""
from __future__ import annotations

from datetime import timedelta
from typing import Any

import peewee

from gclap_sandbox import clock
from gclap_sandbox.models import WebhookDelivery, WebhookEndpoint
from gclap_sandbox.models.webhooks import SKIPPED
from gclap_sandbox.storage.connection import current
from gclap_sandbox.storage.database import owned
from gclap_sandbox.webhooks import signing

DEFAULT_ROTATION_GRACE = 24 * 3600.0


def normalize_events(types: list[str]) -> list[str]:
    """Drop duplicates (keeping order); `*` anywhere means every type."""
    if "*" in types:
        return ["*"]
    return list(dict.fromkeys(types))


def live_secrets(endpoint: WebhookEndpoint) -> list[str]:
    """The secrets deliveries are signed with now: the current one, and the old one in its grace period."""
    keys = [endpoint.secret]
    expires = endpoint.previous_secret_expires_at
    if endpoint.previous_secret and expires is not None and expires > clock.now():
        keys.append(endpoint.previous_secret)
    return keys


def missed_counts(endpoint_ids: list[str]) -> dict[str, int]:
    """Endpoint id -> its `skipped` deliveries (events raised while it was disabled, not replayed yet)."""
    if not endpoint_ids:
        return {}
    rows = (WebhookDelivery.select(WebhookDelivery.endpoint, peewee.fn.COUNT(WebhookDelivery.id))
            .where(WebhookDelivery.endpoint.in_(endpoint_ids) & (WebhookDelivery.status == SKIPPED))
            .group_by(WebhookDelivery.endpoint).tuples())
    return dict(rows)


def serialize(endpoint: WebhookEndpoint, *, with_secret: bool = False, missed: int = 0) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": endpoint.id, "url": endpoint.url, "events": endpoint.events,
        "description": endpoint.description, "active": endpoint.active,
        "disabled_reason": endpoint.disabled_reason, "disabled_at": clock.iso(endpoint.disabled_at),
        "failing_since": clock.iso(endpoint.failing_since),
        "consecutive_failures": endpoint.consecutive_failures, "missed_deliveries": missed,
        "previous_secret_expires_at": clock.iso(endpoint.previous_secret_expires_at)
        if len(live_secrets(endpoint)) > 1 else None,
        "created_at": clock.iso(endpoint.created_at), "updated_at": clock.iso(endpoint.updated_at),
    }
    if with_secret:
        out["secret"] = endpoint.secret
    return out


def get(organization_id: str, endpoint_id: str) -> WebhookEndpoint:
    return owned(WebhookEndpoint, organization_id, endpoint_id, f"No webhook endpoint {endpoint_id}.")


# organization id -> [(endpoint id, subscribed types, active)] of all its endpoints. Read for
# every event, changed only by the functions below (and a sandbox reset), which forget it.
def _subscriptions() -> dict[str, list[tuple[str, list[str], bool]]]:
    """This sandbox's cache of it (storage/database.py)."""
    return current().cache("webhook-subscriptions")


def subscribed(organization_id: str, event_type: str) -> list[tuple[str, bool]]:
    """(id, active) of the organization's endpoints that take `event_type` (DB thread). A disabled
    one is listed too: its deliveries are recorded as skipped, so a replay can send them later."""
    endpoints = _subscriptions().get(organization_id)
    if endpoints is None:
        endpoints = _subscriptions()[organization_id] = list(
            WebhookEndpoint.select(WebhookEndpoint.id, WebhookEndpoint.events, WebhookEndpoint.active)
            .where(WebhookEndpoint.organization == organization_id)
            .order_by(WebhookEndpoint.created_at, WebhookEndpoint.id).tuples())
    return [(endpoint_id, bool(active)) for endpoint_id, types, active in endpoints
            if "*" in types or event_type in types]


def forget_subscriptions(organization_id: str | None = None) -> None:
    if organization_id is None:
        _subscriptions().clear()
    else:
        _subscriptions().pop(organization_id, None)


def create(organization_id: str, fields: dict[str, Any]) -> dict[str, Any]:
    forget_subscriptions(organization_id)
    endpoint = WebhookEndpoint.create(
        organization=organization_id, url=fields["url"], events=normalize_events(fields["events"]),
        description=fields.get("description") or "", secret=signing.new_secret())
    return serialize(endpoint, with_secret=True)


def list_endpoints(organization_id: str, offset: int, limit: int) -> tuple[int, list[dict[str, Any]]]:
    query = WebhookEndpoint.select().where(WebhookEndpoint.organization == organization_id)
    rows = list(query.order_by(WebhookEndpoint.created_at, WebhookEndpoint.id).offset(offset).limit(limit))
    missed = missed_counts([row.id for row in rows])
    return query.count(), [serialize(row, missed=missed.get(row.id, 0)) for row in rows]


def full(endpoint: WebhookEndpoint) -> dict[str, Any]:
    """One endpoint as GET {id}/ shows it: with its secret and its count of missed deliveries."""
    return serialize(endpoint, with_secret=True, missed=missed_counts([endpoint.id]).get(endpoint.id, 0))


def show(organization_id: str, endpoint_id: str) -> dict[str, Any]:
    return full(get(organization_id, endpoint_id))


def update(organization_id: str, endpoint_id: str, fields: dict[str, Any]) -> dict[str, Any]:
    endpoint = get(organization_id, endpoint_id)
    if "url" in fields:
        endpoint.url = fields["url"]
    if "events" in fields:
        endpoint.events = normalize_events(fields["events"])
    if "description" in fields:
        endpoint.description = fields["description"] or ""
    if "active" in fields and fields["active"] != endpoint.active:
        endpoint.active = fields["active"]
        if endpoint.active:  # re-enabled: a fresh start, and its waiting deliveries resume
            endpoint.disabled_reason, endpoint.disabled_at = None, None
            endpoint.consecutive_failures, endpoint.failing_since = 0, None
        else:
            endpoint.disabled_reason, endpoint.disabled_at = "Disabled through the API.", clock.now()
    endpoint.updated_at = clock.now()
    endpoint.save()
    forget_subscriptions(organization_id)
    return full(endpoint)


def delete(organization_id: str, endpoint_id: str) -> None:
    get(organization_id, endpoint_id).delete_instance()  # its deliveries go with it (cascade)
    forget_subscriptions(organization_id)


def rotate_secret(organization_id: str, endpoint_id: str, grace_seconds: float) -> dict[str, Any]:
    endpoint = get(organization_id, endpoint_id)
    endpoint.previous_secret = endpoint.secret
    endpoint.previous_secret_expires_at = clock.now() + timedelta(seconds=grace_seconds)
    endpoint.secret = signing.new_secret()
    endpoint.updated_at = clock.now()
    endpoint.save()
    return full(endpoint)


def disable(endpoint_id: str, reason: str) -> None:
    """Turn an endpoint off because of how it answered (410 Gone, failing for the whole span)."""
    forget_subscriptions()
    WebhookEndpoint.update(active=False, disabled_reason=reason, disabled_at=clock.now(),
                           updated_at=clock.now()) \
        .where((WebhookEndpoint.id == endpoint_id) & (WebhookEndpoint.active == True)).execute()  # noqa: E712


