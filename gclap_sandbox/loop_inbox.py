"""Calls another thread hands to an asyncio loop, a burst of them waking the loop once.

`loop.call_soon_threadsafe` wakes the loop (a write to its self-pipe or eventfd) for every call.
The DB thread hands over several per email (each unit of work's result, the committed email and
events for waits and live pages, worker wake-ups), so a batch of units posts them here instead
and the loop is woken once to run them all, in the order they were posted.
"""
from __future__ import annotations

import asyncio
import logging
import threading
from typing import Any, Callable

log = logging.getLogger("gclap_sandbox.loop")


class LoopInbox:
    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self._lock = threading.Lock()
        self._calls: list[tuple[Callable[..., None], tuple[Any, ...]]] = []

    def post(self, fn: Callable[..., None], *args: Any) -> None:
        """Run `fn(*args)` on the loop soon (from any thread); a failure is logged."""
        with self._lock:
            self._calls.append((fn, args))
            if len(self._calls) > 1:  # a wake-up is already on its way
                return
        try:
            self.loop.call_soon_threadsafe(self._run)
        except RuntimeError:  # the loop is closed: nobody is left to hear it
            with self._lock:
                self._calls.clear()

    def _run(self) -> None:
        with self._lock:
            calls, self._calls = self._calls, []
        for fn, args in calls:
            try:
                fn(*args)
            except Exception:
                log.exception("a call handed to the loop failed")
