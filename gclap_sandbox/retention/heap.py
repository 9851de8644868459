"""Giving freed memory back to the system after pruning (glibc only; elsewhere nothing happens).

A steady stream frees as much memory as it takes: every email filed and then pruned. But glibc
keeps freed pages in its per-thread arenas, and the database thread, the event loop and
SQLite's page cache all allocate in different ones, so the resident size creeps up with
fragmentation while nothing is leaked. `malloc_trim(0)` hands the free pages of every arena
back; it costs 10-20 ms on a fragmented heap of 150 MB, so it runs at most every `EVERY` seconds.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import time

EVERY = 10.0


class HeapTrimmer:
    def __init__(self) -> None:
        self._trim = _malloc_trim()
        self._last = 0.0

    def after_pruning(self) -> None:
        """Hand free heap pages back to the system, if the last time was long enough ago."""
        now = time.monotonic()
        if self._trim is not None and now - self._last >= EVERY:
            self._last = now
            self._trim(0)


def _malloc_trim():
    name = ctypes.util.find_library("c")
    try:
        return ctypes.CDLL(name).malloc_trim if name else None
    except (OSError, AttributeError):  # not glibc (musl, macOS): nothing to give back this way
        return None
