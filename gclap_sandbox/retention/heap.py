"""Giving freed memory back to the system (glibc only; elsewhere nothing happens).

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
M_ARENA_MAX = -8  # mallopt's parameter number (malloc.h)
ARENAS = 2  # the event loop's and the database thread's; more only split free memory further


def few_arenas() -> None:
    """Let glibc make at most ARENAS heaps for the threads started from now on (call it before
    `serve` starts its threads). By default it makes up to eight per core, and each keeps the
    free memory of the threads that used it: the resident size grows without anything leaking."""
    libc = _libc()
    if libc is not None:
        libc.mallopt(M_ARENA_MAX, ARENAS)


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
    libc = _libc()
    return None if libc is None else libc.malloc_trim


def _libc():
    """glibc, if this is it (it has malloc_trim and mallopt); None elsewhere (musl, macOS)."""
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name) if name else None
        return libc if libc is not None and libc.malloc_trim and libc.mallopt else None
    except (OSError, AttributeError):
        return None
