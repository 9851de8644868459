"""Small pieces the background workers share (jobs, relay, webhooks): napping until work is due, stopping."""
from __future__ import annotations

import asyncio
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
