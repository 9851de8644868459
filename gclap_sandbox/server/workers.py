"""Start and stop the sandbox's moving parts with the app (its listeners call these): the
durable clock offset, campaign counts an older version did not keep, the jobs worker, the
webhook dispatcher, the automation and campaign runners, the maintenance worker (retention and
the search index), then the bus's loop-side subscriptions (server/wiring.py), which need those
workers to exist, and, on a database other processes may share, what hears of their changes
(server/peers.py).
"""
from __future__ import annotations

import asyncio

from gclap_sandbox.automation.runner import Runner
from gclap_sandbox.campaigns import counting as campaign_counting
from gclap_sandbox.campaigns.runner import Runner as CampaignRunner
from gclap_sandbox.events import jobs, timeline
from gclap_sandbox.retention.worker import Maintenance
from gclap_sandbox.server import wiring
from gclap_sandbox.server.context import AppContext
from gclap_sandbox.server.peers import Peers
from gclap_sandbox.webhooks import service as webhook_service


async def start(ctx: AppContext) -> None:
    await timeline.restore(ctx)
    await ctx.db.run(campaign_counting.count_older_campaigns)
    ctx.jobs_worker = jobs.Worker(ctx)
    ctx.jobs_worker.start()
    webhook_service.start(ctx)
    ctx.automation = Runner(ctx)
    ctx.clock_runners.append(ctx.automation)  # the clock's advance takes due runs in order
    ctx.campaigns = CampaignRunner(ctx)
    ctx.clock_runners.append(ctx.campaigns)  # ... and due campaign batches
    ctx.maintenance = Maintenance(ctx)
    ctx.maintenance.start()
    if ctx.maintenance.retention.max_age:
        ctx.clock_runners.append(ctx.maintenance)  # ... and mail that a clock advance makes too old
    wiring.wire_live(ctx, asyncio.get_running_loop())
    if ctx.db.path != ":memory:":  # a file (or server) other processes may share
        ctx.limiter.shared = True  # requests counted in the database, once across processes
        ctx.peers = Peers(ctx)
        await ctx.peers.start()
    ctx.automation.wake()  # runs left ready by a restart go on
    ctx.campaigns.wake()  # so do campaigns left sending


async def stop(ctx: AppContext) -> None:
    if ctx.peers is not None:
        await ctx.peers.stop()
        ctx.peers = None
    wiring.unwire_live(ctx)
    await webhook_service.stop(ctx)
    for name in ("campaigns", "automation"):
        runner = getattr(ctx, name)
        if runner is not None:
            ctx.clock_runners.remove(runner)
            await runner.stop()
            setattr(ctx, name, None)
    if ctx.maintenance is not None:
        if ctx.maintenance in ctx.clock_runners:
            ctx.clock_runners.remove(ctx.maintenance)
        await ctx.maintenance.stop()
        ctx.maintenance = None
    if ctx.jobs_worker is not None:
        await ctx.jobs_worker.stop()
        ctx.jobs_worker = None
