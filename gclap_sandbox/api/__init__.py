"""The REST API: one blueprint module per resource, all under /api/v1."""
from __future__ import annotations

from sanic import Blueprint


def blueprints() -> list[Blueprint]:
    from gclap_sandbox.api import email_release, emails, health, meta, sandbox_chaos

    return [health.bp, meta.bp, emails.bp, email_release.bp, sandbox_chaos.bp]
