"""The REST API: one blueprint module per resource, all under /api/v1."""
from __future__ import annotations

from sanic import Blueprint


def blueprints() -> list[Blueprint]:
    from gclap_sandbox.api import (accounts, analytics, clock, emails, events, health, meta, simulation,
                                   suppressions, tracking, webhooks)

    return [health.bp, meta.bp, emails.bp, accounts.bp, events.bp, simulation.bp, suppressions.bp,
            clock.bp, analytics.bp, tracking.bp, webhooks.bp]
