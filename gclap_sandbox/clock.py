"""The sandbox clock: real time plus an offset per organization. Everything time-based reads `now()`.

Each sandbox owns a `Clock` (built by the app factory) that holds every organization's offset
(the database keeps them, so every process on one database reads the same times; see
events/timeline.py). The threads that work for a sandbox (its event loop's thread and its DB
thread) `bind()` to that clock, so two sandboxes in one process keep two times. Whose time
`now()` reads is the organization of the work in hand: a request or SMTP session sets it
(`use_organization`), the DB thread carries it into that caller's units of work, and a job
runs with its own organization's. Work of no organization reads the default organization's
time; a thread bound to no sandbox (a CLI command, a unit test) reads real time.
"""
from __future__ import annotations

import threading
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime, timedelta, timezone
from typing import Iterator

ZERO = timedelta(0)


class Clock:
    """One sandbox's times: real time plus an offset per organization (moved only forward, or
    back to zero). `offsets` holds only organizations that are ahead; `default_organization`
    is whose time work of no organization reads."""

    def __init__(self) -> None:
        self.offsets: dict[str, timedelta] = {}
        self.default_organization: str | None = None

    def offset_of(self, organization_id: str | None) -> timedelta:
        return self.offsets.get(organization_id or self.default_organization or "", ZERO)

    def set_offset(self, organization_id: str, offset: timedelta) -> None:
        if offset > ZERO:
            self.offsets[organization_id] = offset
        else:
            self.offsets.pop(organization_id, None)

    def now(self, organization_id: str | None = None) -> datetime:
        return datetime.now(timezone.utc) + self.offset_of(organization_id)


_bound = threading.local()
# The organization whose time `now()` reads (None: the default organization's). A context
# variable, so each request's or SMTP session's task keeps its own.
_organization: ContextVar[str | None] = ContextVar("gclap_clock_organization", default=None)


def bind(clock: Clock | None) -> None:
    """Make this thread read `clock` (None: real time again)."""
    _bound.clock = clock


def current() -> Clock | None:
    """The clock this thread is bound to, if any."""
    return getattr(_bound, "clock", None)


def organization() -> str | None:
    """The organization whose time this task or unit of work reads (None: the default one)."""
    return _organization.get()


def use_organization(organization_id: str | None) -> None:
    """From here on, this task (a request, an SMTP session) reads `organization_id`'s time."""
    _organization.set(organization_id)


@contextmanager
def for_organization(organization_id: str | None) -> Iterator[None]:
    """Read `organization_id`'s time inside the block (a job, a caller's unit of work)."""
    token = _organization.set(organization_id)
    try:
        yield
    finally:
        _organization.reset(token)


def now() -> datetime:
    clock = current()
    return clock.now(_organization.get()) if clock is not None else datetime.now(timezone.utc)


def now_of(organization_id: str | None) -> datetime:
    """`organization_id`'s time, whatever the organization in hand (work for several at once)."""
    clock = current()
    return clock.now(organization_id) if clock is not None else datetime.now(timezone.utc)


def offset() -> timedelta:
    clock = current()
    return clock.offset_of(_organization.get()) if clock is not None else ZERO


def iso(value: datetime | None) -> str | None:
    """ISO 8601 UTC with a `Z`, the form every API timestamp takes."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")
