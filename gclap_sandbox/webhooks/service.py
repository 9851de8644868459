"""Wire webhooks into a running sandbox: the outbox hook, the dispatcher and the clock."""
from __future__ import annotations

import logging

from gclap_sandbox.events import record as events
from gclap_sandbox.server.context import AppContext
from gclap_sandbox.webhooks import outbox
from gclap_sandbox.webhooks.dispatcher import Dispatcher


def start(ctx: AppContext, client=None) -> Dispatcher:  # type: ignore[no-untyped-def]
    if outbox.on_event not in events.TRANSACTION_HOOKS:
        events.TRANSACTION_HOOKS.append(outbox.on_event)
    settings = ctx.settings
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one INFO line per delivery is noise; the log API has it
    ctx.webhooks = Dispatcher(ctx, client, concurrency=settings.webhook_concurrency,
                              timeout=settings.webhook_timeout, disable_after=settings.webhook_disable_after)
    ctx.webhooks.start()
    ctx.clock_runners.append(ctx.webhooks)
    return ctx.webhooks


async def stop(ctx: AppContext) -> None:
    if ctx.webhooks is None:
        return
    if ctx.webhooks in ctx.clock_runners:
        ctx.clock_runners.remove(ctx.webhooks)
    await ctx.webhooks.stop()
    ctx.webhooks = None
    if outbox.on_event in events.TRANSACTION_HOOKS:
        events.TRANSACTION_HOOKS.remove(outbox.on_event)
