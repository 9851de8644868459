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
        # Each counter's child per label value, looked up once: `.labels()` takes a lock and
        # builds a key on every call, and these run for every email and every event.
        self._captured: dict[str, Any] = {}
        self._events: dict[str, Any] = {}

    # --- email ---------------------------------------------------------------------------

    def on_email_stored(self, email: Email, incoming: Incoming) -> None:
        """DB thread, in the capture's transaction: report it once it has committed."""
        source = incoming.source if incoming.lifecycle else "sandbox"
        # Who it was sent to: the envelope (RCPT TO, or the API's to + cc + bcc), not the headers.
        recipients = incoming.envelope_to or [*email.to, *email.cc, *email.bcc]
        after_commit(lambda: self.email_captured(email, source, recipients))

    def email_captured(self, email: Email, source: str, recipients: list[str]) -> None:
        counter = self._captured.get(source)
        if counter is None:
            counter = self._captured[source] = self.metrics.emails_captured.labels(source)
        counter.inc()
        log_fields(mail_log, "email captured", id=email.id, source=source, **{"from": email.from_address},
                   recipients=recipients, subject=email.subject, size=email.size)

    def on_event_committed(self, _organization_id: str, payload: dict[str, Any]) -> None:
        kind = payload.get("type") or "unknown"
        counter = self._events.get(kind)
        if counter is None:
            counter = self._events[kind] = self.metrics.events.labels(kind)
        counter.inc()

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


__all__ = ["Activity"]
