"""Webhook operations that need the running app as well as the DB thread, shared by the API
routes and the web UI so both behave the same (wake the dispatcher, post a test at once)."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from gclap_sandbox.webhooks import endpoints, outbox

if TYPE_CHECKING:
    from gclap_sandbox.server.context import AppContext


async def update_endpoint(ctx: AppContext, organization_id: str, endpoint_id: str,
                          fields: dict[str, Any]) -> dict[str, Any]:
    updated = await ctx.db.run(endpoints.update, organization_id, endpoint_id, fields)
    if updated["active"] and ctx.webhooks is not None:
        ctx.webhooks.wake()  # re-enabled: its waiting deliveries may be due
    return updated


async def send_test(ctx: AppContext, organization_id: str, endpoint_id: str) -> dict[str, Any]:
    """Post a `webhook.test` event now; the delivery with its attempt."""
    delivery_id = await ctx.db.run(outbox.add_test, organization_id, endpoint_id)
    await ctx.webhooks.send_now(delivery_id)
    return await ctx.db.run(outbox.show, organization_id, delivery_id)
