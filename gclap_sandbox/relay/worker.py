"""The background task that relays queued email and retries failures with backoff.

Jobs live in the database (`relay_store`), so capture only has to insert a row and wake
this task; a restart picks up whatever was still pending.
"""
from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from gclap_sandbox.relay import store as relay_store
from gclap_sandbox.relay.config import RelayConfig, send_upstream
from gclap_sandbox.storage.database import Database
from gclap_sandbox.worker_loop import cancel_and_wait, nap

if TYPE_CHECKING:
    from gclap_sandbox.server.context import AppContext

log = logging.getLogger("gclap_sandbox.relay")

BATCH = 8  # attempts in flight at once: bounded, so a slow upstream cannot pile up work
MAX_IDLE = 5.0  # seconds between checks even when nothing is due (the sandbox clock may move)


class RelayWorker:
    def __init__(self, db: Database, config: RelayConfig) -> None:
        self.db = db
        self.config = config
        self._wake = asyncio.Event()
        self._busy: set[str] = set()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run())

    @property
    def running(self) -> bool:
        """Its task is alive (the readiness probe asks)."""
        return self._task is not None and not self._task.done()

    def wake(self, *_: object) -> None:
        """Look for due work now (called after a capture queues a relay)."""
        self._wake.set()

    async def stop(self) -> None:
        await cancel_and_wait(self._task)
        self._task = None

    async def _run(self) -> None:
        while True:
            self._wake.clear()
            try:
                work = await self.db.run(relay_store.due_work, self._busy, BATCH, self.config.timeout)
                if work:
                    await asyncio.gather(*(self._attempt(item) for item in work))
                    continue
                next_at = await self.db.run(relay_store.next_due_at)
            except asyncio.CancelledError:
                raise
            except Exception:  # a broken row must not stop relaying for good
                log.exception("relay worker hit an error; retrying shortly")
                next_at = None
            await nap(self._wake, next_at, MAX_IDLE)

    async def _attempt(self, item: relay_store.RelayWork) -> None:
        self._busy.add(item.job_id)
        try:
            outcome = await send_upstream(self.config.target, item.sender, item.recipients, item.raw,
                                          self.config.timeout)
            job = await self.db.run(relay_store.record_attempt, item.job_id, outcome, self.config)
            if job is not None:  # logged and counted by observability/activity.py
                self.db.bus.relay_attempted.publish({
                    "email_id": item.email_id, "attempt": job.attempts, "code": outcome.code,
                    "message": outcome.message, "status": job.status})
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("relay of email %s failed unexpectedly", item.email_id)
            await asyncio.sleep(1)  # stays busy a moment, so a broken job cannot spin the worker
        finally:
            self._busy.discard(item.job_id)


def configure_relay(ctx: AppContext) -> None:
    """With --relay: remember the configuration (server/wiring.py queues relays on capture)."""
    ctx.relay = RelayConfig.from_settings(ctx.settings)


async def start_relay(ctx: AppContext) -> None:
    if ctx.relay is None:
        return
    ctx.relay_worker = RelayWorker(ctx.db, ctx.relay)
    ctx.relay_worker.start()
    log.info("relaying to %s (mode %s)", ctx.relay.target.display, ctx.relay.mode)


async def stop_relay(ctx: AppContext) -> None:
    if ctx.relay_worker is not None:
        await ctx.relay_worker.stop()

