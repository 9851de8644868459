"""What a sandbox tells its operators as work happens: one log line at INFO and the matching
metrics for each captured email, webhook attempt and relay attempt, and counters for events
and refusals. server/wiring.py subscribes these to the sandbox's bus.

Everything here runs beside the work it reports (after the capture's commit on the database
thread, or on the loop after an attempt), so it must stay cheap: a counter bump and, when INFO
is on, one formatted line.
"""
from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from gclap_sandbox.observability.logs import log_fields
from gclap_sandbox.observability.metrics import SandboxMetrics
from gclap_sandbox.storage.connection import after_commit

if TYPE_CHECKING:
    from gclap_sandbox.models import Email
    from gclap_sandbox.pipeline.incoming import Incoming

mail_log = logging.getLogger("gclap_sandbox.mail")
webhook_log = logging.getLogger("gclap_sandbox.webhooks")
relay_log = logging.getLogger("gclap_sandbox.relay")


class Activity:
    def __init__(self, metrics: SandboxMetrics) -> None:
        self.metrics = metrics
        self._captured: dict[str, Any] = {}  # each counter's children by label value (`_child`)
        self._events: dict[str, Any] = {}

    # --- email ---------------------------------------------------------------------------

    def on_email_stored(self, email: Email, incoming: Incoming) -> None:
        """DB thread, in the capture's transaction: report it once it has committed."""
        source = incoming.source if incoming.lifecycle else "sandbox"
        # Who it was sent to: the envelope (RCPT TO, or the API's to + cc + bcc), not the headers.
        recipients = incoming.envelope_to or [*email.to, *email.cc, *email.bcc]
        after_commit(lambda: self.email_captured(email, source, recipients))

    def email_captured(self, email: Email, source: str, recipients: list[str]) -> None:
        _child(self._captured, self.metrics.emails_captured, source).inc()
        log_fields(mail_log, "email captured", id=email.id, source=source, **{"from": email.from_address},
                   recipients=recipients, subject=email.subject, size=email.size)

    def on_event_committed(self, _organization_id: str, payload: dict[str, Any]) -> None:
        _child(self._events, self.metrics.events, payload.get("type") or "unknown").inc()

    # --- webhooks and relay ----------------------------------------------------------------

    def webhook_attempted(self, _organization_id: str, attempt: dict[str, Any]) -> None:
        """On the loop, after an attempt was recorded (webhooks/dispatcher.py)."""
        outcome = {"succeeded": "succeeded", "pending": "retrying"}.get(attempt["status"], attempt["status"])
        self.metrics.webhook_attempts.labels(outcome).inc()
        duration = attempt.get("duration_ms")
        if duration is not None:
            self.metrics.webhook_latency.observe(duration / 1000)
        log_fields(webhook_log, "webhook attempt", endpoint=attempt.get("url"),
                   endpoint_id=attempt["endpoint_id"], event=attempt.get("event_type"),
                   status=attempt.get("response_status"),
                   latency_ms=None if duration is None else round(duration, 1), outcome=outcome,
                   attempt=attempt["attempt_count"], delivery_id=attempt["id"], error=attempt.get("error"))

    def relay_attempted(self, attempt: dict[str, Any]) -> None:
        """On the loop, after a relay attempt was recorded (relay/worker.py)."""
        outcome = "retrying" if attempt["status"] == "pending" else attempt["status"]
        self.metrics.relay_attempts.labels(outcome).inc()
        log_fields(relay_log, "relay attempt", email_id=attempt["email_id"], attempt=attempt["attempt"],
                   code=attempt["code"], reply=attempt["message"], outcome=outcome)

    # --- refusals --------------------------------------------------------------------------

    def rate_limited(self, _organization_id: str) -> None:
        self.metrics.rejections.labels("rate_limit").inc()

    def quota_exceeded(self, _organization_id: str) -> None:
        self.metrics.rejections.labels("quota").inc()


def _child(children: dict[str, Any], counter: Any, label: str) -> Any:
    """`counter`'s child for `label`, looked up once: `.labels()` takes a lock and builds a key
    on every call, and the counters above count every email and every event."""
    child = children.get(label)
    if child is None:
        child = children[label] = counter.labels(label)
    return child


__all__ = ["Activity"]
