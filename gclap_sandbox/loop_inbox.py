"""Calls another thread hands to an asyncio loop, a burst of them waking the loop once.

`loop.call_soon_threadsafe` wakes the loop (a write to its self-pipe or eventfd) for every call.
The DB thread hands over several per email (each unit of work's result, the committed email and
events for waits and live pages, worker wake-ups), so it posts them here instead, holding them
while it finishes a batch of units (`hold`), and the loop is woken once to run them all, in the
order they were posted.
"""
from __future__ import annotations

import asyncio
import logging
import threading
from contextlib import contextmanager
from typing import Any, Callable, Iterator

log = logging.getLogger("gclap_sandbox.loop")


class LoopInbox:
    """One per loop: what other threads post runs there, in order, one wake-up per burst."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self._lock = threading.Lock()
        self._calls: list[tuple[Callable[..., None], tuple[Any, ...]]] = []
        self._woken = False  # a wake-up is on its way
        self._holder: int | None = None  # the thread whose posts wait for the end of its `hold`

    def post(self, fn: Callable[..., None], *args: Any) -> None:
        """Run `fn(*args)` on the loop soon (from any thread); a failure is logged."""
        with self._lock:
            self._calls.append((fn, args))
            if self._woken or self._holder == threading.get_ident():
                return
            self._woken = True
        self._wake()

    @contextmanager
    def hold(self) -> Iterator[None]:
        """What this thread posts inside the block reaches the loop with one wake-up, after it."""
        with self._lock:
            self._holder = threading.get_ident()
        try:
            yield
        finally:
            with self._lock:
                self._holder = None
                wake = bool(self._calls) and not self._woken
                self._woken = self._woken or wake
            if wake:
                self._wake()

    def _wake(self) -> None:
        try:
            self.loop.call_soon_threadsafe(self._run)
        except RuntimeError:  # the loop is closed: nobody is left to hear it
            with self._lock:
                self._calls.clear()
                self._woken = False

    def _run(self) -> None:
        with self._lock:
            calls, self._calls, self._woken = self._calls, [], False
        for fn, args in calls:
            try:
                fn(*args)
            except Exception:
                log.exception("a call handed to the loop failed")
