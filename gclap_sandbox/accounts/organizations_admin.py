"""The sandbox's organizations as the sandbox admin manages them (each function: DB thread).

Every organization has its own mail, contacts, webhooks, templates, plan and keys. The default
organization is the sandbox's own: created at start, never deleted here, and the only one whose
keys can hold the admin scope (scopes.ADMIN_SCOPES).
"""
from __future__ import annotations

from typing import Any

from gclap_sandbox import clock
from gclap_sandbox.accounts import auth, keys, organizations, organizations_wipe
from gclap_sandbox.errors import Conflict, NotFound
from gclap_sandbox.models import Organization

FIRST_KEY_NAME = "First key"
START_PLAN = "plan_at_creation"  # Organization.settings key: the plan a full reset goes back to


def organization_view(org: Organization) -> dict[str, Any]:
    return {"id": org.id, "name": org.name, "plan": org.plan, "is_default": org.is_default,
            "created_at": clock.iso(org.created_at)}


def create(name: str, plan: str) -> dict[str, Any]:
    """A new organization on `plan` and its first key, with every scope it can hold (secret shown once)."""
    org = Organization.create(name=name, plan=plan, settings={START_PLAN: plan})
    key, secret = auth.create_key(org.id, FIRST_KEY_NAME)
    return {**organization_view(org), "api_key": {**keys.key_view(key), "key": secret}}


def list_page(offset: int, limit: int) -> tuple[int, list[dict[str, Any]]]:
    """The default organization first, then the others oldest first."""
    query = Organization.select()
    rows = query.order_by(Organization.is_default.desc(), Organization.created_at, Organization.id)
    return query.count(), [organization_view(org) for org in rows.offset(offset).limit(limit)]


def _organization(organization_id: str) -> Organization:
    org = Organization.get_or_none(Organization.id == organization_id) if organization_id else None
    if org is None:
        raise NotFound(f"No organization {organization_id}.")
    return org


def get(organization_id: str) -> dict[str, Any]:
    return organization_view(_organization(organization_id))


def delete(organization_id: str) -> dict[str, int]:
    """Delete the organization and everything it owns; rows deleted per table."""
    org = _organization(organization_id)
    if org.is_default:
        raise Conflict("The default organization cannot be deleted; reset it instead.",
                       slug="default-organization")
    deleted = organizations_wipe.wipe(org.id, everything=True, keys_too=True)
    deleted[Organization._meta.table_name] = Organization.delete().where(Organization.id == org.id).execute()
    organizations.forget(org.id)
    return deleted


def reset(organization_id: str, everything: bool) -> tuple[dict[str, int], str | None]:
    """An organization's own reset: its data (with `everything` its configuration too, and its plan
    and tracking defaults as at creation; its keys stay). (rows deleted per table, the plan
    it is on now when `everything` put one back)."""
    deleted = organizations_wipe.wipe(organization_id, everything=everything)
    if not everything:
        return deleted, None
    org = _organization(organization_id)
    start_plan = (org.settings or {}).get(START_PLAN, org.plan)
    org.plan, org.settings = start_plan, {START_PLAN: start_plan}
    org.save()
    organizations.forget(organization_id)
    return deleted, start_plan


def names() -> list[tuple[str, str]]:
    """(id, name) of every organization, the default first: what the sign-in offers."""
    rows = Organization.select(Organization.id, Organization.name).order_by(
        Organization.is_default.desc(), Organization.created_at, Organization.id)
    return [(org.id, org.name) for org in rows]


def shown(chosen_id: str | None, default_id: str) -> tuple[str, str, int]:
    """What the web UI shows: the chosen organization while it exists, else the default one;
    (its id, its name, how many organizations there are)."""
    org = (organizations.cached(chosen_id) if chosen_id else None) or organizations.cached(default_id)
    if org is None:  # a full reset replaced the default organization a moment ago
        org = Organization.get(Organization.is_default == True)  # noqa: E712
    return org.id, org.name, Organization.select().count()

