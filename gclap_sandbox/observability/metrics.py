"""One sandbox's Prometheus metrics, in a registry of its own (never the library's global one),
so two sandboxes in one process count apart. `GET /metrics` renders it (api/health.py).

Every label takes a value from a small fixed set (sources, event types, outcomes, reasons):
no addresses, ids or subjects, so a scrape never grows with the mail.
"""
from __future__ import annotations

from typing import Callable

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

from gclap_sandbox import __version__

# Webhook endpoints answer in milliseconds to seconds; the last bucket is the default timeout.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
# What generate_latest writes, named as every Prometheus server understands it.
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


class SandboxMetrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        Gauge("gclap_sandbox_info", "The sandbox's version (the value is always 1).", ["version"],
              registry=r).labels(__version__).set(1)
        self.emails_captured = Counter(
            "gclap_sandbox_emails_captured", "Emails captured, by how they came: api, smtp, or sandbox "
            "(the sandbox's own mail: bounce reports, alerts, reports).", ["source"], registry=r)
        self.events = Counter("gclap_sandbox_events", "Email events recorded, by type.", ["type"], registry=r)
        self.webhook_attempts = Counter(
            "gclap_sandbox_webhook_attempts", "Webhook delivery attempts, by outcome: succeeded, "
            "retrying (failed, another attempt is scheduled) or failed (no attempt follows).",
            ["outcome"], registry=r)
        self.webhook_latency = Histogram(
            "gclap_sandbox_webhook_attempt_duration_seconds", "How long webhook endpoints took to answer "
            "(or to time out).", buckets=LATENCY_BUCKETS, registry=r)
        self.relay_attempts = Counter(
            "gclap_sandbox_relay_attempts", "Relay attempts to the upstream SMTP server, by the relay's "
            "state after the attempt (relayed, retrying, failed, partial...).", ["outcome"], registry=r)
        self.smtp_sessions = Counter("gclap_sandbox_smtp_sessions", "SMTP connections accepted.", registry=r)
        self.smtp_sessions_open = Gauge("gclap_sandbox_smtp_sessions_open", "SMTP connections open now.",
                                        registry=r)
        self.rejections = Counter(
            "gclap_sandbox_rejections", "Requests and messages refused by the plan's limits, by reason: "
            "rate_limit (429 / SMTP 451) or quota (the monthly quota; 429 / SMTP 554).", ["reason"], registry=r)
        for reason in ("rate_limit", "quota"):
            self.rejections.labels(reason)  # present at 0 before the first one
        for source in ("api", "smtp"):
            self.emails_captured.labels(source)
        self.database_size = Gauge("gclap_sandbox_database_size_bytes",
                                   "Size of the database (SQLite: pages in use times page size; PostgreSQL: pg_database_size).", registry=r)

    def count_open_sessions(self, count: Callable[[], float]) -> None:
        self.smtp_sessions_open.set_function(count)

    def render(self) -> bytes:
        return generate_latest(self.registry)


__all__ = ["CONTENT_TYPE", "SandboxMetrics"]
