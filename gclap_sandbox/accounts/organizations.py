"""Organizations as the hot path reads them: cached per process, forgotten when they change.

Every email reads its organization's plan and tracking defaults; they change only through
this process (plan switches, settings, reset), and those paths call `forget()`.
"""
from __future__ import annotations

from gclap_sandbox.models import Organization

_cache: dict[str, Organization] = {}


def cached(organization_id: str) -> Organization | None:
    """The organization (DB thread); treat the result as read-only."""
    org = _cache.get(organization_id)
    if org is None:
        org = Organization.get_or_none(Organization.id == organization_id)
        if org is not None:
            _cache[organization_id] = org
    return org


def forget(organization_id: str | None = None) -> None:
    """Drop one cached organization, or all of them (after a reset)."""
    if organization_id is None:
        _cache.clear()
    else:
        _cache.pop(organization_id, None)
