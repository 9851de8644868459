"""Start and stop the webhook dispatcher with the app; its bus subscriptions are in server/wiring.py."""
from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from gclap_sandbox.webhooks.dispatcher import Dispatcher

if TYPE_CHECKING:
    from gclap_sandbox.server.context import AppContext


def start(ctx: AppContext, client=None) -> Dispatcher:  # type: ignore[no-untyped-def]
    settings = ctx.settings
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one INFO line per delivery is noise; the log API has it
    ctx.webhooks = Dispatcher(ctx, client, concurrency=settings.webhook_concurrency,
                              timeout=settings.webhook_timeout, disable_after=settings.webhook_disable_after)
    ctx.webhooks.start()
    ctx.clock_runners.append(ctx.webhooks)  # the clock's advance runs due retries in order
    return ctx.webhooks


async def stop(ctx: AppContext) -> None:
    if ctx.webhooks is None:
        return
    if ctx.webhooks in ctx.clock_runners:
        ctx.clock_runners.remove(ctx.webhooks)
    await ctx.webhooks.stop()
    ctx.webhooks = None
