"""API keys: generation, hashing, the default organization and key, request authentication.

Secrets look like `gclap_test_<40 base62 chars>` so scanners and people recognise them.
Only a SHA-256 of each secret is stored (right for long random keys; no slow KDF needed).
Lookups go through an in-process cache keyed by that hash, so authenticating a request
costs no database round trip; every key change goes through this process and clears it.
"""
from __future__ import annotations

import hashlib
import secrets
import string
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from gclap_sandbox import clock
from gclap_sandbox.accounts import organizations
from gclap_sandbox.accounts.scopes import ADMIN_SCOPES
from gclap_sandbox.errors import Unauthorized
from gclap_sandbox.models import ApiKey, Organization, SandboxSetting
from gclap_sandbox.storage import bulk

if TYPE_CHECKING:
    from gclap_sandbox.server.context import AppContext

KEY_PREFIX = "gclap_test_"
_ALPHABET = string.ascii_letters + string.digits
DEFAULT_KEY_SETTING = "default_api_key"


def generate_secret() -> str:
    return KEY_PREFIX + "".join(secrets.choice(_ALPHABET) for _ in range(40))


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Principal:
    """Who is calling: the key and its organization, as the handlers see it."""

    key_id: str
    organization_id: str
    scopes: frozenset[str] | None  # None: every scope
    expires_at: datetime | None
    revoked_at: datetime | None
    default_organization: bool = False  # only its keys can hold the ADMIN_SCOPES

    def allows(self, scope: str | None) -> bool:
        if scope in ADMIN_SCOPES and not self.default_organization:
            return False
        return scope is None or self.scopes is None or scope in self.scopes


def principal_for(key: ApiKey) -> Principal:
    """DB thread (reads the key's organization, cached)."""
    org = organizations.cached(key.organization_id)
    return Principal(
        key_id=key.id,
        organization_id=key.organization_id,
        scopes=None if key.scopes is None else frozenset(key.scopes),
        expires_at=key.expires_at,
        revoked_at=key.revoked_at,
        default_organization=bool(org is not None and org.is_default),
    )


def create_key(organization_id: str, name: str, *, secret: str | None = None,
               scopes: list[str] | None = None, expires_at: datetime | None = None,
               is_default: bool = False) -> tuple[ApiKey, str]:
    """Store a new key (DB thread) and return it with its secret, shown once."""
    secret = secret or generate_secret()
    key = ApiKey.create(
        organization=organization_id, name=name, key_hash=hash_secret(secret),
        prefix=secret[: len(KEY_PREFIX) + 4], last4=secret[-4:], scopes=scopes,
        expires_at=expires_at, is_default=is_default,
    )
    return key, secret


def bootstrap(given_key: str | None) -> tuple[str, str]:
    """Ensure the default organization and a usable key exist; return (org id, key secret).

    The default key's secret is kept in SandboxSetting so `serve` can print it at every
    start (a local-sandbox convenience; keys created through the API are never stored).
    `--api-key` makes the given secret valid as well.
    """
    org = Organization.get_or_none(Organization.is_default == True)  # noqa: E712
    if org is None:
        org = Organization.create(name="Default organization", is_default=True)
    if given_key:
        existing = ApiKey.get_or_none(ApiKey.key_hash == hash_secret(given_key))
        if existing is None:
            create_key(org.id, "From --api-key", secret=given_key)
        elif existing.revoked_at is not None:
            existing.revoked_at = None
            existing.save()
        return org.id, given_key
    stored = SandboxSetting.get_or_none(SandboxSetting.key == DEFAULT_KEY_SETTING)
    if stored is not None:
        key = ApiKey.get_or_none(ApiKey.key_hash == hash_secret(stored.value))
        if key is not None and key.revoked_at is None:
            return org.id, stored.value
    _, secret = create_key(org.id, "Default key", is_default=True)
    bulk.upsert(SandboxSetting, [SandboxSetting.key], key=DEFAULT_KEY_SETTING, value=secret)
    return org.id, secret


class KeyCache:
    """hash -> Principal, filled on first use, cleared whenever any key changes."""

    def __init__(self) -> None:
        self._by_hash: dict[str, Principal | None] = {}

    def lookup(self, secret_hash: str) -> Principal | None | type[KeyError]:
        return self._by_hash.get(secret_hash, KeyError)

    def store(self, secret_hash: str, principal: Principal | None) -> None:
        if len(self._by_hash) > 10_000:  # unknown keys are cached too; keep it bounded
            self._by_hash.clear()
        self._by_hash[secret_hash] = principal

    def clear(self) -> None:
        self._by_hash.clear()


def load_principal(secret_hash: str) -> Principal | None:
    key = ApiKey.get_or_none(ApiKey.key_hash == secret_hash)
    return None if key is None else principal_for(key)


async def resolve(ctx: AppContext, secret: str) -> Principal:
    """The usable key behind `secret` (API bearer or SMTP password), or raise Unauthorized."""
    secret_hash = hash_secret(secret)
    principal = ctx.keys.lookup(secret_hash)
    if principal is KeyError:
        principal = await ctx.db.run(load_principal, secret_hash)
        ctx.keys.store(secret_hash, principal)
    return check_usable(principal)  # type: ignore[arg-type]


def parse_bearer(header: str | None) -> str:
    if not header:
        raise Unauthorized("Missing Authorization header. Send `Authorization: Bearer YOUR_API_KEY`.",
                           slug="missing-api-key")
    scheme, _, token = header.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("Authorization header must be `Bearer YOUR_API_KEY`.", slug="invalid-api-key")
    return token.strip()


def check_usable(principal: Principal | None) -> Principal:
    if principal is None:
        raise Unauthorized("Invalid API key.", slug="invalid-api-key")
    if principal.revoked_at is not None:
        raise Unauthorized("This API key has been revoked.", slug="revoked-api-key")
    if principal.expires_at is not None and principal.expires_at <= clock.now_of(principal.organization_id):
        raise Unauthorized(f"This API key expired at {clock.iso(principal.expires_at)}.",
                           slug="expired-api-key")
    return principal
