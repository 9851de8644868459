"""Announcing an alert through its channels (DB thread).

A move of state is published on the bus (`alert_changed`, in the evaluation's transaction);
server/wiring.py hands it to `to_webhooks` (the signed webhook outbox: the config's endpoints,
and every endpoint subscribed to the event type) and `to_inbox` (the alert email, the sandbox's
own mail: captured in the inbox, not charged to the quota, never counted, never relayed).
`send_test` sends a sample the same two ways, to the config's channels only.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from gclap_sandbox import clock
from gclap_sandbox.alerts import alert_mail, wording
from gclap_sandbox.analytics.metrics import METRICS
from gclap_sandbox.storage import database as db
from gclap_sandbox.webhooks import outbox
from gclap_sandbox.webhooks.payloads import ALERT_RESOLVED, ALERT_TRIGGERED

if TYPE_CHECKING:
    from gclap_sandbox.alerts.evaluation import Verdict
    from gclap_sandbox.models import AlertConfig, AlertTransition


def payload(config: AlertConfig, state: str, previous: str, verdict: Verdict, *,
            transition_id: str | None = None, test: bool = False) -> dict[str, Any]:
    """`{type, timestamp, data}` of a firing (or a test) or a resolution."""
    details = verdict.details(config)
    volume = verdict.measurement.volume
    data = {
        "alert_config_id": config.id, "name": config.name, "metric": config.metric,
        "condition": dict(config.condition), "window": details["window"], "filters": dict(config.filters or {}),
        "state": state, "previous_state": previous, "value": verdict.value, "count": details["count"],
        "volume": volume, "threshold": details.get("threshold"), "baseline": details.get("baseline"),
        "window_start": details["window_start"], "window_end": details["window_end"],
        "summary": wording.summary(config.metric, config.condition, state, verdict.value, details["count"],
                                   volume, details["window"]),
        "transition_id": transition_id, "test": test,
    }
    return {"type": ALERT_RESOLVED if state == "resolved" else ALERT_TRIGGERED,
            "timestamp": clock.iso(verdict.measurement.end), "data": data}


def announce(config: AlertConfig, transition: AlertTransition, verdict: Verdict) -> None:
    """Publish a recorded move (state_machine.py) to whoever listens (server/wiring.py)."""
    body = payload(config, transition.to_state, transition.from_state, verdict, transition_id=transition.id)
    db.current().bus.alert_changed.publish(config.organization_id, body, dict(config.channels or {}))


def to_webhooks(organization_id: str, body: dict[str, Any], channels: dict[str, Any]) -> list[str]:
    return outbox.on_organization_event(organization_id, body, channels.get("webhook_endpoint_ids") or [])


def to_inbox(organization_id: str, body: dict[str, Any], channels: dict[str, Any]) -> str | None:
    """The alert email to the channel's addresses; its id (None without addresses)."""
    recipients = channels.get("emails") or []
    if not recipients:
        return None
    from gclap_sandbox.pipeline.capture import capture_email  # the pipeline sits above the domains it feeds

    metric = METRICS[body["data"]["metric"]]
    email = capture_email(alert_mail.incoming(organization_id, body, metric, recipients, clock.now()))
    return email.id


def send_test(config: AlertConfig, verdict: Verdict, current_state: str) -> dict[str, Any]:
    """A sample firing, measured now, through the config's channels only (nothing is recorded)."""
    body = payload(config, "triggered", current_state, verdict, test=True)
    channels = dict(config.channels or {})
    deliveries = outbox.on_organization_event(config.organization_id, body,
                                              channels.get("webhook_endpoint_ids") or [], to_subscribers=False)
    email_id = to_inbox(config.organization_id, body, channels)
    return {"alert_config_id": config.id, "payload": body, "email_ids": [email_id] if email_id else [],
            "webhook_delivery_ids": deliveries}
