"""The campaign runner: sends the batches of campaigns that are due, from the event loop.

Each batch is a few short units of work on the DB thread around renders on the render threads
(sender.py says which), so a large campaign never holds the database thread for long and SMTP
and API answers go on meanwhile. It is woken when a batch becomes due (bus `campaigns_ready`,
server/wiring.py), and is a clock runner (`ctx.clock_runners`): advancing the sandbox clock
sends every batch that falls due, in order with the jobs that pace them, before it answers.
"""
from __future__ import annotations

import asyncio
import logging
from datetime import datetime
from typing import TYPE_CHECKING

from gclap_sandbox import clock
from gclap_sandbox.campaigns import content, sender
from gclap_sandbox.worker_loop import Drainer

if TYPE_CHECKING:
    from gclap_sandbox.server.context import AppContext

log = logging.getLogger("gclap_sandbox.campaigns")
RENDER_CHUNK = 25  # recipients rendered per hop to the render threads


class Runner(Drainer):
    name = "gclap-campaigns"

    def __init__(self, ctx: AppContext) -> None:
        super().__init__(log, ctx.clock_lock)
        self.ctx = ctx

    async def next_due(self, limit: datetime) -> datetime | None:
        return await self.ctx.db.run(sender.next_due, limit)

    async def run_due(self) -> int:
        """Send every batch due now (a campaign due again at once goes on); how many batches."""
        sent, failed = 0, set()
        async with self.lock:
            while due := [(campaign_id, organization_id) for campaign_id, organization_id
                          in await self.ctx.db.run(sender.due_ids) if campaign_id not in failed]:
                for campaign_id, organization_id in due:
                    try:
                        with clock.for_organization(organization_id):  # its batches go on its clock
                            while await self._send_batch(campaign_id):
                                sent += 1
                        sent += 1
                    except Exception:  # left due: the next wake (or a restart) tries again
                        log.exception("sending a batch of campaign %s failed", campaign_id)
                        failed.add(campaign_id)
        return sent

    async def _send_batch(self, campaign_id: str) -> bool:
        """One batch; True when the campaign's next batch is due at once."""
        batch = await self.ctx.db.run(sender.claim, campaign_id)
        if batch is None:
            return False
        chunks = [batch.people[start:start + RENDER_CHUNK] for start in range(0, len(batch.people), RENDER_CHUNK)]
        rendering = self._render(batch, chunks[0]) if chunks else None
        for position in range(len(chunks)):
            prepared = await rendering
            if position + 1 < len(chunks):  # the next chunk renders while this one is stored
                rendering = self._render(batch, chunks[position + 1])
            while prepared:
                done = await self.ctx.db.run(sender.capture, campaign_id, prepared)
                prepared = prepared[done:]
        return await self.ctx.db.run(sender.finish_batch, campaign_id, len(batch.people))

    def _render(self, batch: sender.Batch, people: list) -> asyncio.Future:
        return asyncio.ensure_future(self.ctx.renderer.run(content.prepare, batch.campaign, batch.parts, people,
                                                           self.ctx.delivery))
