"""Organizations as the hot path reads them: cached per sandbox, forgotten when they change.

Every email reads its organization's plan and tracking defaults; they change only through
this sandbox (plan switches, settings, reset), and those paths call `forget()`. The cache
lives on the sandbox's `Database` (DB thread only).
"""
from __future__ import annotations

from gclap_sandbox.models import Organization
from gclap_sandbox.storage.connection import current


def cached(organization_id: str) -> Organization | None:
    """The organization (DB thread); treat the result as read-only."""
    cache = current().cache("organizations")
    org = cache.get(organization_id)
    if org is None:
        org = Organization.get_or_none(Organization.id == organization_id)
        if org is not None:
            cache[organization_id] = org
    return org


def forget(organization_id: str | None = None) -> None:
    """Drop one cached organization, or all of them (after a reset); DB thread."""
    cache = current().cache("organizations")
    if organization_id is None:
        cache.clear()
    else:
        cache.pop(organization_id, None)
