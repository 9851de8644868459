"""Small pieces the background workers share (jobs, relay, webhooks, automation, campaigns):
napping until work is due, draining what is due when woken, stopping."""
from __future__ import annotations

import asyncio
import contextvars
import logging
from datetime import datetime

from gclap_sandbox import clock


async def nap(wake: asyncio.Event, due: datetime | None, longest: float) -> None:
    """Sleep until `due` on the sandbox clock (at most `longest` seconds) or until woken."""
    wait = longest if due is None else min(longest, max(0.0, (due - clock.now()).total_seconds()))
    try:
        await asyncio.wait_for(wake.wait(), timeout=wait)
    except TimeoutError:
        pass


async def cancel_and_wait(task: asyncio.Task | None) -> None:
    """Cancel a worker's task and wait until it has stopped."""
    if task is None:
        return
    task.cancel()
    try:
        await task
    except asyncio.CancelledError:
        pass


class Drainer:
    """A loop-side worker that, when woken, does everything due now (`run_due`), again if woken
    meanwhile. Its `lock` keeps one pass at a time, also against the clock's advance, which
    calls `run_due` itself (a clock runner, events/timeline.py).

    While the clock moves (`clock_lock` held) a wake waits for the move to end: the advance
    takes due work in order itself, and work done beside it could change what is due between
    the advance's look at the jobs and its look at the runners, so that it stopped early."""

    name = "gclap-drainer"

    def __init__(self, log: logging.Logger, clock_lock: asyncio.Lock) -> None:
        self.lock = asyncio.Lock()
        self._clock_lock = clock_lock
        self._log = log
        self._task: asyncio.Task | None = None
        self._again = False

    async def run_due(self) -> int:
        raise NotImplementedError

    def wake(self) -> None:
        if self._task is not None and not self._task.done():
            self._again = True
            return
        # Not the waker's organization: a worker takes every organization's due work (clock.py).
        context = contextvars.copy_context()
        context.run(clock.use_organization, None)
        self._task = asyncio.get_running_loop().create_task(self._drain(), name=self.name, context=context)

    async def _after_clock_moves(self) -> None:
        if self._clock_lock.locked():
            async with self._clock_lock:
                pass

    async def _drain(self) -> None:
        while True:
            await self._after_clock_moves()
            self._again = False
            try:
                await self.run_due()
            except Exception:
                self._log.exception("%s hit an error", self.name)
            if not self._again:
                return

    async def stop(self) -> None:
        await cancel_and_wait(self._task)
