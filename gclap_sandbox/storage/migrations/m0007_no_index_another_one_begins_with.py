"""Drops four indexes that another index of the same table begins with.

`event_organization_id` and `event_email_id` are the first column of `(organization_id,
occurred_at)` and `(email_id, seq)`; `email_organization_id` and `(organization_id, created_at)`
begin the six-column index the inbox is read by. Every lookup they served, the longer ones serve
alike, and each was one more B-tree written for every event and every email captured.
"""
from __future__ import annotations

from gclap_sandbox.storage.migrations.steps import drop_indexes


def apply() -> None:
    drop_indexes("event_organization_id", "event_email_id", "email_organization_id",
                 "email_organization_id_created_at")
