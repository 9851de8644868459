"""The one DB thread of a sandbox: every unit of work runs there (`await Database.run(fn)`).

The asyncio loop never blocks on SQLite, writes are serialized without lock contention, and an
in-memory database (one connection) works the same as a file. The thread binds the models to
this sandbox's connection and clock (storage/connection.py), so several sandboxes can share a
process. Per-sandbox caches that DB-thread code keeps (organizations, stored sequences) live
on the `Database` too, reached with `current()`.
"""
from __future__ import annotations

import asyncio
import itertools
import logging
import queue
import threading
from typing import Any, Callable, TypeVar

import peewee

from gclap_sandbox import clock as clock_module
from gclap_sandbox.events.bus import EventBus
from gclap_sandbox.models.base import BaseModel, owned
from gclap_sandbox.storage import fulltext, vacuum
from gclap_sandbox.storage.connection import (
    after_commit,
    bind_thread,
    current,
    database,
    open_connection,
    pending_callbacks,
    reset_pending_callbacks,
    savepoint,
)
from gclap_sandbox.storage.schema import create_schema

log = logging.getLogger("gclap_sandbox.db")
T = TypeVar("T")


class StoredSequence:
    """A counter that continues after the highest value stored in `field`.

    Declared once per field; the count itself is kept by each sandbox's `Database` (read once,
    then in memory: the DB thread is the only writer) and forgotten when a reset empties tables.
    """

    def __init__(self, field: peewee.Field) -> None:
        self.field = field

    def next(self) -> int:
        counters = current().counters
        counter = counters.get(self.field)
        if counter is None:
            top = self.field.model.select(peewee.fn.MAX(self.field)).scalar() or 0
            counter = counters[self.field] = itertools.count(top + 1)
        return next(counter)


class Database:
    """Owns the SQLite connection and the one thread every query runs on.

    Units of work queue up for that thread. When several are waiting (busy SMTP or API
    traffic), the thread runs them together in one transaction, each inside its own
    savepoint, and commits once: a failing unit rolls back alone, and the commit cost is
    shared. A caller's future resolves only after the commit, so an acknowledged email is
    stored.
    """

    MAX_BATCH = 64

    def __init__(self, path: str, clock: clock_module.Clock | None = None,
                 bus: EventBus | None = None) -> None:
        self.path = path
        self.clock = clock or clock_module.Clock()
        self.bus = bus or EventBus()  # what DB-thread code publishes to (`current().bus`)
        # Per-sandbox caches kept by DB-thread code (organizations, webhook subscriptions, ...)
        # and the stored sequences' counters; a reset forgets them all.
        self._caches: dict[str, dict[Any, Any]] = {}
        self.counters: dict[peewee.Field, itertools.count] = {}
        self._jobs: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._work, name="gclap-db", daemon=True)
        self._db: peewee.SqliteDatabase | None = None

    @property
    def thread_id(self) -> int | None:
        """The DB thread's identifier, once it runs."""
        return self._thread.ident

    async def start(self) -> None:
        self._thread.start()
        await self._submit(self._open, (), transactional=False)

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        """Run `fn(*args)` in a transaction on the DB thread and return its result."""
        return await self._submit(fn, args, transactional=True)

    async def run_alone(self, fn: Callable[..., T], *args: Any) -> T:
        """Run `fn(*args)` on the DB thread outside any transaction (VACUUM, checkpoints)."""
        return await self._submit(fn, args, transactional=False)

    async def close(self) -> None:
        if not self._thread.is_alive():
            return
        await self._submit(self._close, (), transactional=False)
        self._jobs.put(None)
        await asyncio.get_running_loop().run_in_executor(None, self._thread.join)

    async def _submit(self, fn: Callable[..., T], args: tuple, *, transactional: bool) -> T:
        loop = asyncio.get_running_loop()
        future: asyncio.Future = loop.create_future()

        def resolve(value: Any) -> None:
            loop.call_soon_threadsafe(_settle, future, value, None)

        def fail(exc: BaseException) -> None:
            loop.call_soon_threadsafe(_settle, future, None, exc)

        self._jobs.put(_Job(fn, args, transactional, resolve, fail))
        return await future

    # --- on the DB thread ---------------------------------------------------------------

    def cache(self, name: str) -> dict[Any, Any]:
        """A named cache of this sandbox (DB thread only), emptied by `forget_caches()`."""
        return self._caches.setdefault(name, {})

    def forget_caches(self) -> None:
        """Drop what was read from tables a reset just emptied or changed (DB thread)."""
        for cache in self._caches.values():
            cache.clear()
        self.counters.clear()

    def _open(self) -> None:
        self._db = open_connection(self.path)
        bind_thread(self, self._db)
        clock_module.bind(self.clock)
        self._db.connect(reuse_if_open=True)
        rewritten = vacuum.ensure_incremental(self.path)
        create_schema()
        if rewritten:  # VACUUM may renumber rowids, which the search index is keyed by
            fulltext.forget_all()

    def _close(self) -> None:
        if self._db is not None and not self._db.is_closed():
            if self.path != ":memory:":
                self._db.execute_sql("PRAGMA optimize")
            self._db.close()

    def _work(self) -> None:
        while True:
            job = self._jobs.get()
            if job is None:
                return
            if not job.transactional:
                job.call_alone()
                continue
            batch = [job]
            stop_after = False
            while len(batch) < self.MAX_BATCH:
                try:
                    more = self._jobs.get_nowait()
                except queue.Empty:
                    break
                if more is None or not more.transactional:
                    self._run_batch(batch)
                    batch = []
                    if more is None:
                        stop_after = True
                    else:
                        more.call_alone()
                    break
                batch.append(more)
            if batch:
                self._run_batch(batch)
            if stop_after:
                return

    def _run_batch(self, batch: list["_Job"]) -> None:
        outcomes: list[tuple[Any, BaseException | None]] = []
        committed_callbacks: list[Callable[[], None]] = []
        try:
            with database.atomic():
                for job in batch:
                    reset_pending_callbacks()
                    try:
                        with database.atomic():  # a savepoint when batched
                            outcomes.append((job.fn(*job.args), None))
                    except Exception as exc:
                        outcomes.append((None, exc))
                    else:
                        committed_callbacks.extend(pending_callbacks())
        except Exception as exc:  # the commit itself failed: nothing of the batch is stored
            outcomes = [(None, exc)] * len(batch)
            committed_callbacks = []
        reset_pending_callbacks()
        for callback in committed_callbacks:
            try:
                callback()
            except Exception:  # a listener's failure must not undo a committed unit of work
                log.exception("after-commit callback failed")
        for job, (value, error) in zip(batch, outcomes):
            if error is None:
                job.resolve(value)
            else:
                job.fail(error)


class _Job:
    __slots__ = ("fn", "args", "transactional", "resolve", "fail")

    def __init__(self, fn: Callable[..., Any], args: tuple, transactional: bool,
                 resolve: Callable[[Any], None], fail: Callable[[BaseException], None]) -> None:
        self.fn, self.args, self.transactional = fn, args, transactional
        self.resolve, self.fail = resolve, fail

    def call_alone(self) -> None:
        try:
            value = self.fn(*self.args)
        except Exception as exc:
            self.fail(exc)
        else:
            self.resolve(value)


def _settle(future: asyncio.Future, value: Any, error: BaseException | None) -> None:
    if future.cancelled():
        return
    if error is None:
        future.set_result(value)
    else:
        future.set_exception(error)




def open_in_this_thread(path: str) -> peewee.SqliteDatabase:
    """Open `path` (creating the schema) and bind this thread's models to it, outside any running
    sandbox: unit tests and offline tools. A running sandbox uses its `Database` thread instead."""
    connection = open_connection(path)
    bind_thread(Database(path), connection)
    connection.connect(reuse_if_open=True)
    create_schema()
    return connection


__all__ = ["Database", "StoredSequence", "BaseModel", "owned", "after_commit", "savepoint",
           "current", "database", "open_in_this_thread"]
