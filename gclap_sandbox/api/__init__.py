"""The REST API: one blueprint module per resource, all under /api/v1."""
from __future__ import annotations

from sanic import Blueprint


def blueprints() -> list[Blueprint]:
    from gclap_sandbox.api import emails, health, meta, sandbox_reset

    return [health.bp, meta.bp, emails.bp, sandbox_reset.bp]
