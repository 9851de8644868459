"""The render threads: where user templates render, off the event loop and the database thread.

A template that runs long stops itself at its time limit (template_budget.py); until then
it holds one of these threads, never the loop that answers HTTP and SMTP, nor the thread
every database unit of work queues on.
"""
from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable, TypeVar

T = TypeVar("T")
RENDER_THREADS = 2


class RenderThreads:
    def __init__(self, workers: int = RENDER_THREADS) -> None:
        # Threads start on first use, so a sandbox that never renders a template starts none.
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="gclap-render")

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._pool, fn, *args)

    def close(self) -> None:
        """Stop taking work; a render under way ends by itself within its time limit."""
        self._pool.shutdown(wait=False, cancel_futures=True)
