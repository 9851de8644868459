"""What a new sandbox starts with, so that a full reset can put exactly that back.

At start and after `POST /api/v1/sandbox/reset/ {"all": true}` alike: the default organization
and key (`--api-key` when given), the `--plan`, the `--chaos` rules with a fresh generator, and
empty in-memory rate-limit windows and key caches. Everything else starts empty.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from gclap_sandbox.accounts import auth, limits
from gclap_sandbox.accounts.limits import RateLimiter

if TYPE_CHECKING:
    from gclap_sandbox.server.context import AppContext
    from gclap_sandbox.settings import Settings


def establish_accounts(settings: Settings) -> tuple[str, str]:
    """The default organization and key, on the start plan (DB thread); (org id, key secret)."""
    organization_id, secret = auth.bootstrap(settings.api_key)
    if settings.plan:
        limits.update_organization(organization_id, {"plan": settings.plan})
    return organization_id, secret


def restore_in_memory_state(ctx: AppContext) -> None:
    """What lives beside the tables, as at start: chaos rules, rate-limit windows, key caches."""
    ctx.chaos.replace(ctx.settings.chaos or {})
    ctx.limiter = RateLimiter()
    ctx.keys.clear()
    ctx.key_last_used.clear()
