"""Managing API keys: create, list, read, revoke, rotate (each runs on the DB thread).

Secrets are returned once, by `create_key` and `rotate_key`; views never include them.
`last_used_at` is tracked in memory per request (no write per request) and written here,
whenever keys are read, by `flush_last_used`.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from gclap_sandbox import clock
from gclap_sandbox.accounts import auth, organizations
from gclap_sandbox.accounts.scopes import ADMIN_SCOPES, scopes_for
from gclap_sandbox.errors import NotFound, ValidationFailed
from gclap_sandbox.models import ApiKey
from gclap_sandbox.storage.database import owned


def _in_default_organization(organization_id: str) -> bool:
    org = organizations.cached(organization_id)
    return org is not None and org.is_default


def key_view(key: ApiKey) -> dict[str, Any]:
    return {
        "id": key.id,
        "name": key.name,
        "prefix": key.prefix,
        "last4": key.last4,
        "scopes": scopes_for(_in_default_organization(key.organization_id)) if key.scopes is None
        else list(key.scopes),
        "all_scopes": key.scopes is None,
        "created_at": clock.iso(key.created_at),
        "expires_at": clock.iso(key.expires_at),
        "last_used_at": clock.iso(key.last_used_at),
        "revoked": key.revoked_at is not None,
        "revoked_at": clock.iso(key.revoked_at),
    }


def create_key(organization_id: str, name: str, scopes: list[str] | None,
               expires_at: datetime | None) -> dict[str, Any]:
    admin = sorted(ADMIN_SCOPES.intersection(scopes or ()))
    if admin and not _in_default_organization(organization_id):
        raise ValidationFailed({"scopes": [f"Only keys of the default organization can hold `{admin[0]}`."]})
    key, secret = auth.create_key(organization_id, name, scopes=scopes, expires_at=expires_at)
    return {**key_view(key), "key": secret}


def flush_last_used(last_used: dict[str, datetime]) -> None:
    for key_id, when in last_used.items():
        ApiKey.update(last_used_at=when).where(ApiKey.id == key_id).execute()


def list_keys(organization_id: str, last_used: dict[str, datetime], offset: int,
              limit: int) -> tuple[int, list[dict[str, Any]]]:
    flush_last_used(last_used)
    query = ApiKey.select().where(ApiKey.organization == organization_id)
    rows = query.order_by(ApiKey.created_at.desc(), ApiKey.id).offset(offset).limit(limit)
    return query.count(), [key_view(k) for k in rows]


def key_table(organization_id: str, last_used: dict[str, datetime], limit: int) -> dict[str, Any]:
    """The organization's keys, newest first, with whether each is the default and has expired."""
    flush_last_used(last_used)
    query = ApiKey.select().where(ApiKey.organization == organization_id)
    keys = list(query.order_by(ApiKey.created_at.desc(), ApiKey.id).limit(limit))
    now = clock.now()
    rows = [{**key_view(k), "is_default": k.is_default,
             "expired": k.expires_at is not None and k.expires_at <= now} for k in keys]
    return {"keys": rows, "total": query.count() if len(keys) == limit else len(keys),
            "grantable": scopes_for(_in_default_organization(organization_id))}


def _key(organization_id: str, key_id: str) -> ApiKey:
    return owned(ApiKey, organization_id, key_id, f"No API key {key_id}.")


def get_key(organization_id: str, key_id: str, last_used: dict[str, datetime]) -> dict[str, Any]:
    flush_last_used(last_used)
    return key_view(_key(organization_id, key_id))


def revoke_key(organization_id: str, key_id: str) -> None:
    key = _key(organization_id, key_id)
    if key.revoked_at is None:
        key.revoked_at = clock.now()
        key.save()


def rotate_key(organization_id: str, key_id: str, grace_seconds: int) -> dict[str, Any]:
    """A new key with the same name, scopes and expiry; the old one ends after the grace period."""
    old = _key(organization_id, key_id)
    if old.revoked_at is not None:
        raise NotFound(f"API key {key_id} is revoked; a revoked key cannot be rotated.",
                       slug="revoked-api-key")
    now = clock.now()
    # The new key keeps a future expiry of the old one; the old one ends after the grace period.
    keep_expiry = old.expires_at if old.expires_at is not None and old.expires_at > now else None
    if grace_seconds == 0:
        old.revoked_at = now
        previous_ends = now
    else:
        previous_ends = now + timedelta(seconds=grace_seconds)
        old.expires_at = previous_ends if old.expires_at is None else min(old.expires_at, previous_ends)
        previous_ends = old.expires_at
    old.save()
    new, secret = auth.create_key(organization_id, old.name, scopes=old.scopes, expires_at=keep_expiry)
    return {**key_view(new), "key": secret, "rotated_from": old.id,
            "previous_key_ends_at": clock.iso(previous_ends)}
