"""The sandbox clock: real time plus an offset. Everything time-based reads `now()`.

Each sandbox owns a `Clock` (built by the app factory). The threads that work for a sandbox
(its event loop's thread and its DB thread) `bind()` to that clock, so the many places that
ask `clock.now()` get their own sandbox's time, and two sandboxes in one process keep two
times. A thread bound to no sandbox (a CLI command, a unit test) reads real time.
"""
from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone


class Clock:
    """One sandbox's time: real time plus `offset` (moved only forward, or back to zero)."""

    def __init__(self, offset: timedelta = timedelta(0)) -> None:
        self.offset = offset

    def now(self) -> datetime:
        return datetime.now(timezone.utc) + self.offset


_bound = threading.local()


def bind(clock: Clock | None) -> None:
    """Make this thread read `clock` (None: real time again)."""
    _bound.clock = clock


def current() -> Clock | None:
    """The clock this thread is bound to, if any."""
    return getattr(_bound, "clock", None)


def now() -> datetime:
    clock = current()
    return clock.now() if clock is not None else datetime.now(timezone.utc)


def offset() -> timedelta:
    clock = current()
    return clock.offset if clock is not None else timedelta(0)


def iso(value: datetime | None) -> str | None:
    """ISO 8601 UTC with a `Z`, the form every API timestamp takes."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")
