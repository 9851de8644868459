"""The connection the models use, bound per thread: each sandbox's DB thread binds its own.

Models are declared once (`models/`), against `database`, a peewee proxy. A sandbox runs every
query on its own DB thread (storage/database.py), and that thread binds the proxy to the
sandbox's connection, so two sandboxes in one process never see each other's rows. Code on the
DB thread reaches its sandbox's `Database` with `current()`.
"""
from __future__ import annotations

import threading
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Callable, Iterator

import peewee

if TYPE_CHECKING:
    from gclap_sandbox.storage.database import Database

PRAGMAS = {
    "auto_vacuum": "incremental",  # first: it only takes effect before the first table (storage/vacuum.py)
    "journal_mode": "wal",
    "synchronous": "normal",
    "foreign_keys": 1,
    "busy_timeout": 5000,
    "cache_size": -32 * 1024,  # 32 MiB page cache
    # Statement journals and large sorts go to temporary files (small ones never leave the
    # cache): in memory, a reset of 10,000 emails (one transaction, cascades and triggers)
    # took the resident size from 140 MB to 339 MB.
    "temp_store": "file",
    "journal_size_limit": 16 * 1024 * 1024,  # a checkpoint cuts a write-ahead log grown past 16 MiB back
}


class ThreadBoundProxy(peewee.DatabaseProxy):
    """A `DatabaseProxy` whose target is per thread (each DB thread initializes its own)."""

    def __init__(self) -> None:
        object.__setattr__(self, "_bound", threading.local())
        super().__init__()

    @property  # type: ignore[override]
    def obj(self) -> Any:
        return getattr(self._bound, "obj", None)

    def __setattr__(self, attr: str, value: Any) -> None:
        if attr == "obj":
            self._bound.obj = value
        else:
            object.__setattr__(self, attr, value)


database = ThreadBoundProxy()
_thread = threading.local()  # per thread: the owning Database, and pending after-commit callbacks


def bind_thread(owner: Database | None, connection: peewee.Database | None) -> None:
    """Make this thread work for `owner` (a sandbox's DB thread calls this once)."""
    _thread.owner = owner
    database.initialize(connection)


def current() -> Database:
    """The `Database` whose thread this is (DB thread only)."""
    owner = getattr(_thread, "owner", None)
    if owner is None:
        raise RuntimeError("not on a sandbox's database thread (use `await db.run(fn)`)")
    return owner


def pending_callbacks() -> list[Callable[[], None]]:
    return _thread.__dict__.setdefault("callbacks", [])


def reset_pending_callbacks() -> None:
    _thread.callbacks = []


def after_commit(callback: Callable[[], None]) -> None:
    """Run `callback` on the DB thread once the current unit of work has committed.

    Dropped if the unit of work fails, so nothing is announced that was not stored.
    """
    pending_callbacks().append(callback)


def nested() -> Any:
    """`database.atomic()`: a transaction at the top, else a savepoint. Every savepoint has the
    same name, which SQLite and PostgreSQL resolve to the innermost one still open (these always
    nest): peewee names each with a fresh uuid4, a few per cent of the DB thread under API sends."""
    if not database.in_transaction():
        return database.atomic()
    return peewee._savepoint(database.obj, "unit")


@contextmanager
def savepoint() -> Iterator[None]:
    """A nested transaction; if it fails, its after-commit callbacks are dropped with it."""
    callbacks = pending_callbacks()
    mark = len(callbacks)
    try:
        with nested():
            yield
    except BaseException:
        del callbacks[mark:]
        raise
