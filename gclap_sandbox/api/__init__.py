"""The REST API: one blueprint module per resource, all under /api/v1."""
from __future__ import annotations

from sanic import Blueprint


def blueprints() -> list[Blueprint]:
    from gclap_sandbox.api import emails, health, meta
    from gclap_sandbox.api import contact_lists, contact_transfer, contacts, segments, templates

    return [health.bp, meta.bp, emails.bp, contact_lists.bp, segments.bp, contact_transfer.bp, contacts.bp,
            templates.bp]
