"""Webhook deliveries and relays record which process is sending them, and until when.

Several processes on one database take due work from the same tables; a lease lets one of them
send a delivery or relay while the others skip it, and lets them take it over if that process
stops before recording the outcome (storage/claims.py).
"""
from __future__ import annotations

from gclap_sandbox.models import EmailRelay, WebhookDelivery
from gclap_sandbox.storage.migrations.steps import ensure_columns


def apply() -> None:
    ensure_columns(WebhookDelivery.claimed_by, WebhookDelivery.claimed_until,
                   EmailRelay.claimed_by, EmailRelay.claimed_until)
