"""The maintenance worker: keeps storage within the retention limits and the search index
current, in the background, so neither costs capture anything.

Every half second (and whenever woken) it prunes what is beyond the limits a slice at a time,
indexes new mail in batches (storage/fulltext.py), and gives space back once pruning has
freed a fair share of the file. Each slice is its own short unit of work, so captures and
`/healthz` queue behind at most one of them. With `--max-age` it is also a clock runner: a
clock advance prunes mail that has become too old, in due order with the jobs.
"""
from __future__ import annotations

import asyncio
import logging
from datetime import datetime
from typing import TYPE_CHECKING

from gclap_sandbox.retention import prune
from gclap_sandbox.retention.heap import HeapTrimmer
from gclap_sandbox.retention.policy import Retention
from gclap_sandbox.storage import engine, fulltext
from gclap_sandbox.storage.database import keeping_pace
from gclap_sandbox.worker_loop import cancel_and_wait, nap

if TYPE_CHECKING:
    from gclap_sandbox.server.context import AppContext

log = logging.getLogger("gclap_sandbox.retention")
TICK = 0.5  # seconds of real time between passes when nothing wakes it
INDEX_BATCHES = 4  # search batches per pass at most (2,000 emails), so a stream never keeps a pass from pruning
SHRINK_SHARE = 0.2  # give space back once free pages are a fifth of the file (steady streams reuse them)


class Maintenance:
    def __init__(self, ctx: AppContext) -> None:
        self._db = ctx.db
        self.retention = Retention.of(ctx.settings)
        self.lock = asyncio.Lock()
        self._wake = asyncio.Event()
        self._task: asyncio.Task | None = None
        self._heap = HeapTrimmer()

    def start(self) -> None:
        log.info("retention: keeping %s", self.retention.describe())
        self._task = asyncio.get_running_loop().create_task(self._loop(), name="gclap-maintenance")

    def wake(self, *_: object) -> None:
        self._wake.set()

    async def stop(self) -> None:
        await cancel_and_wait(self._task)
        self._task = None

    async def _loop(self) -> None:
        while True:
            await nap(self._wake, None, TICK)
            self._wake.clear()
            try:
                await self.run_due()
            except Exception:  # the next pass tries again; the sandbox goes on capturing
                log.exception("maintenance pass failed")

    async def run_due(self) -> int:
        """One pass: prune, index, give space back; returns the emails pruned."""
        async with self.lock:
            # Both are owed by the mail coming in: held back behind a steady stream, the inbox
            # would outgrow --max-emails and search fall ever further behind.
            with keeping_pace():
                pruned = await self._prune() if self.retention.limited else 0
                for _ in range(INDEX_BATCHES):
                    if await self._db.run(fulltext.index_pending) < fulltext.BATCH:
                        break
            if pruned:
                await self._db.run_alone(engine.shrink, SHRINK_SHARE)
                await asyncio.to_thread(self._heap.after_pruning)  # 10-20 ms: not on the loop
            return pruned

    async def _prune(self) -> int:
        pruned = 0
        while True:
            went = await self._db.run(prune.prune_slice, self.retention)
            pruned += went
            if went < prune.SLICE:
                return pruned

    # --- as a clock runner (events/timeline.advance_clock), with --max-age ---------------

    async def next_due(self, limit: datetime) -> datetime | None:
        due = await self._db.run(prune.next_expiry, self.retention)
        return due if due is not None and due <= limit else None
