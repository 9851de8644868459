"""The runner: takes ready runs through their steps, on the event loop.

It is woken when runs become ready (bus `automation_ready`, server/wiring.py), and is a clock
runner (`ctx.clock_runners`), so advancing the sandbox clock runs every run that falls due, in
order with the jobs that end its waits, before the advance answers.
"""
from __future__ import annotations

import functools
import logging
from datetime import datetime
from typing import TYPE_CHECKING

import httpx

from gclap_sandbox import clock
from gclap_sandbox.automation import actions, runs
from gclap_sandbox.worker_loop import Drainer

if TYPE_CHECKING:
    from gclap_sandbox.server.context import AppContext

log = logging.getLogger("gclap_sandbox.automation")
BATCH = 100


class Runner(Drainer):
    name = "gclap-automation"

    def __init__(self, ctx: AppContext) -> None:
        super().__init__(log, ctx.clock_lock)  # one pass at a time: a run is never taken twice at once
        self.ctx = ctx
        self._client: httpx.AsyncClient | None = None  # made on first use: its TLS context costs every start

    @property
    def client(self) -> httpx.AsyncClient:
        if self._client is None:
            self._client = httpx.AsyncClient(follow_redirects=False)
        return self._client

    async def next_due(self, limit: datetime) -> datetime | None:
        return await self.ctx.db.run(runs.next_due, limit)

    async def run_due(self) -> int:
        """Take every ready run as far as it goes now; how many runs moved."""
        moved = 0
        async with self.lock:
            while True:
                ids = await self.ctx.db.run(runs.ready_ids, None, BATCH)
                for run_id, organization_id in ids:
                    with clock.for_organization(organization_id):  # its steps read its clock
                        await self._advance(run_id)
                moved += len(ids)
                if len(ids) < BATCH:
                    return moved

    async def _advance(self, run_id: str) -> None:
        while (work := await self.ctx.db.run(runs.proceed, run_id)) is not None:
            try:
                if work.step["type"] == "send_email":
                    await actions.send_email(self.ctx, work)
                else:
                    await actions.call_url(self.ctx, work, self.client)
            except Exception as exc:  # e.g. the quota ran out or the template failed to render
                await self.ctx.db.run(functools.partial(runs.record_step, work, "failed", None,
                                                        error=f"{type(exc).__name__}: {exc}"))

    async def stop(self) -> None:
        await super().stop()
        if self._client is not None:
            await self._client.aclose()
