"""Start and stop the delivery lifecycle's moving parts with the app (its listeners call these):
the durable clock offset, the built-in event hooks, live event listeners, the jobs worker and
the webhook dispatcher.
"""
from __future__ import annotations

import asyncio
import logging
from typing import Any

from gclap_sandbox.pipeline import capture, outcomes
from gclap_sandbox.events import record as events, jobs, timeline
from gclap_sandbox.server.context import AppContext
from gclap_sandbox.webhooks import service as webhook_service

log = logging.getLogger("gclap_sandbox")


async def start(ctx: AppContext) -> None:
    outcomes.install_hooks()
    await timeline.restore(ctx)
    loop = asyncio.get_running_loop()

    def publish(organization_id: str, payload: dict[str, Any]) -> None:  # DB thread, after commit
        if ctx.event_listeners:
            loop.call_soon_threadsafe(_notify, ctx.event_listeners, organization_id, payload)

    def publish_email(organization_id: str, summary: dict[str, Any]) -> None:  # DB thread, after commit
        if ctx.email_listeners:
            loop.call_soon_threadsafe(_notify, ctx.email_listeners, organization_id, summary)

    ctx.event_publisher = publish
    ctx.email_publisher = publish_email
    events.COMMIT_HOOKS.append(publish)
    capture.COMMIT_HOOKS.append(publish_email)
    ctx.jobs_worker = jobs.Worker(ctx)
    ctx.jobs_worker.start()
    webhook_service.start(ctx)


def _notify(listeners: list[Any], organization_id: str, payload: dict[str, Any]) -> None:
    for listener in list(listeners):
        try:
            listener(organization_id, payload)
        except Exception:
            log.exception("live listener failed")


async def stop(ctx: AppContext) -> None:
    await webhook_service.stop(ctx)
    if ctx.jobs_worker is not None:
        await ctx.jobs_worker.stop()
        ctx.jobs_worker = None
    for hooks, publisher in ((events.COMMIT_HOOKS, ctx.event_publisher),
                             (capture.COMMIT_HOOKS, ctx.email_publisher)):
        if publisher in hooks:
            hooks.remove(publisher)
