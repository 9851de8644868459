"""The one DB thread of a sandbox: every unit of work runs there (`await Database.run(fn)`).

The asyncio loop never blocks on SQLite, writes are serialized without lock contention, and an
in-memory database (one connection) works the same as a file. The thread binds the models to
this sandbox's connection and clock (storage/connection.py), so several sandboxes can share a
process. Per-sandbox caches that DB-thread code keeps (organizations, stored sequences) live
on the `Database` too, reached with `current()`.
"""
from __future__ import annotations

import asyncio
import collections
import contextlib
import itertools
import logging
import queue
import threading
import time
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, Callable, Iterator, Sequence, TypeVar

import peewee

from gclap_sandbox import clock as clock_module
from gclap_sandbox.events.bus import EventBus
from gclap_sandbox.loop_inbox import LoopInbox
from gclap_sandbox.models.base import BaseModel, owned
from gclap_sandbox.storage import engine, fulltext
from gclap_sandbox.storage.connection import (
    after_commit,
    bind_thread,
    current,
    database,
    nested,
    pending_callbacks,
    reset_pending_callbacks,
    savepoint,
)
from gclap_sandbox.storage.engine import open_connection, write_transaction
from gclap_sandbox.storage.schema import create_schema, refuse_newer

log = logging.getLogger("gclap_sandbox.db")
T = TypeVar("T")
# True in the task of an HTTP request: its units of work see every intake item accepted before
# them (`serving_reader`). Background workers and SMTP sessions leave it False, so that they do
# not cut a busy intake lane into small batches; they see its items moments later.
_serving_reader: ContextVar[bool] = ContextVar("gclap_serving_reader", default=False)


# True in the task of a client waiting for its answer (an HTTP request, an SMTP session): its
# units of work are never held back. The others (the background workers: jobs, webhooks,
# peers, maintenance) yield to acknowledgements while an intake is busy (`Database.BACKGROUND_SHARE`).
_serving_client: ContextVar[bool] = ContextVar("gclap_serving_client", default=False)


def serving_reader() -> None:
    """Mark the current task as serving a reader (an HTTP request): its units of work run after
    every intake item accepted before them is settled."""
    _serving_reader.set(True)
    _serving_client.set(True)


def serving_client() -> None:
    """Mark the current task as serving a client that waits for each answer (an SMTP session)."""
    _serving_client.set(True)


@contextlib.contextmanager
def keeping_pace() -> Iterator[None]:
    """Units of work submitted inside the block are never held back, though no client waits for
    them: work a stream of mail owes (retention pruning, search indexing, outcome jobs running
    late) must keep up with the stream, or what it bounds grows for as long as the stream lasts."""
    token = _serving_client.set(True)
    try:
        yield
    finally:
        _serving_client.reset(token)


@contextlib.contextmanager
def apart_from_intakes() -> Iterator[None]:
    """Units of work submitted inside the block read nothing an intake takes (a rate count, an
    idempotency record): they run without settling what waits first, even for a reader."""
    token = _serving_reader.set(False)
    try:
        yield
    finally:
        _serving_reader.reset(token)


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


@dataclass(frozen=True)
class Intake:
    """A lane for items that arrive often and are acknowledged once durable (`Database.take`).

    `accept(items)` runs for every item the lane has waiting, in one transaction, and returns
    one outcome per item (a value, or the exception that item is refused with); the callers
    hear their outcome once that transaction committed (a group commit). `settle(items)` does
    the rest of the work for the accepted items in slices of `settle_batch`, each a unit of work
    of its own, between the accepts, so an acknowledgement never waits behind a whole backlog.
    Once the lane has been quiet for `quiet` seconds, slices follow one another until nothing
    waits. While items keep arriving, settling yields to them: it may take `busy_share` of the
    thread's time (its first slice after `busy_delay`), so the backlog still moves, in slices of
    `busy_settle_batch` run only while no other work waits; once `max_pending` items or
    `max_pending_bytes` (by `size`) wait, one slice follows every accept.
    Everything waiting is settled before any unit of work of an HTTP request (`serving_reader`)
    and before anything that does not run in a transaction (opening, closing), so that no
    reader ever sees the database without it.
    """

    accept: Callable[[list[Any]], Sequence[Any]]
    settle: Callable[[list[Any]], None]
    size: Callable[[Any], int] = lambda item: 0
    quiet: float = 0.1
    busy_share: float = 0.1
    busy_delay: float = 1.0
    max_pending: int = 10_000
    max_pending_bytes: int = 16 * 1024 * 1024  # held in memory: part of what a steady stream costs
    max_batch: int = 256  # items accepted in one transaction
    # Items settled in one unit of work (the longest an accept waits). Each commit writes the
    # pages it touched (indexes' inner pages too) to the write-ahead log again, so larger slices
    # cost less per item: 128 against 32 takes about 7% less CPU per email in a long SMTP stream.
    settle_batch: int = 128
    busy_settle_batch: int = 4  # the same while items keep arriving, so an accept hardly waits


class _Lane:
    """An intake's accepted items waiting to be settled (DB thread only)."""

    __slots__ = ("items", "bytes", "last_accept", "paced_at")

    def __init__(self, intake: Intake, now: float) -> None:
        self.items: collections.deque[Any] = collections.deque()
        self.bytes = 0
        self.last_accept = now
        self.paced_at = now + intake.busy_delay  # the next slice while items keep arriving

    def due_in(self, intake: Intake, now: float) -> float:
        """Seconds until a slice is due (0: now): the lane quiet, its pace, or a bound reached."""
        if self.full(intake):
            return 0.0
        return max(0.0, min(self.last_accept + intake.quiet, self.paced_at) - now)

    def full(self, intake: Intake) -> bool:
        return len(self.items) >= intake.max_pending or self.bytes >= intake.max_pending_bytes

    def busy(self, intake: Intake, now: float) -> bool:
        """Items keep arriving: a slice is due by pace only."""
        return not self.full(intake) and now < self.last_accept + intake.quiet


class Database:
    """Owns the database connection (SQLite or PostgreSQL: `path` is a --db location) and the one
    thread every query runs on.

    Units of work queue up for that thread. When several are waiting (busy SMTP or API
    traffic), the thread runs them together in one transaction, each inside its own
    savepoint, and commits once: a failing unit rolls back alone, and the commit cost is
    shared. A caller's future resolves only after the commit, so an acknowledged email is
    stored. Items taken through an `Intake` are batched the same way, and settled later.
    """

    MAX_BATCH = 64
    # While an intake is busy (an item accepted within its `quiet`), background units of work
    # may take this share of the thread's time; the rest waits until it is quiet. Acknowledgements
    # go first, and the work they leave (due jobs, deliveries, polls) follows moments later.
    BACKGROUND_SHARE = 0.1

    def __init__(self, path: str, clock: clock_module.Clock | None = None,
                 bus: EventBus | None = None) -> None:
        self.path = path
        self.clock = clock or clock_module.Clock()
        self.bus = bus or EventBus()  # what DB-thread code publishes to (`current().bus`)
        # Per-sandbox caches kept by DB-thread code (organizations, webhook subscriptions, ...)
        # and the stored sequences' counters; a reset forgets them all.
        self._caches: dict[str, dict[Any, Any]] = {}
        self._lasting: set[str] = set()  # caches whose entries another process's writes never make stale
        self.counters: dict[peewee.Field, itertools.count] = {}
        self._jobs: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._work, name="gclap-db", daemon=True)
        self.engine = engine.for_location(path)
        self._db: peewee.Database | None = None
        # DB thread only: the job taken from the queue but not run yet (it did not fit the
        # batch being gathered), and each intake's accepted items waiting to be settled.
        self._held: _Job | None = None
        self._pending: dict[Intake, _Lane] = {}
        self._inbox: LoopInbox | None = None  # the loop that awaits units of work (loop_inbox)
        # DB thread only: background units held back while an intake is busy (until
        # `_busy_until`), and when the next may run by its share of time (`_background_at`).
        self._deferred: collections.deque[_Job] = collections.deque()
        self._busy_until = 0.0
        self._background_at = 0.0

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

    async def take(self, intake: Intake, item: Any) -> Any:
        """Hand `item` to `intake`: returns its outcome of `intake.accept` once committed."""
        return await self._submit(intake.accept, (item,), transactional=True, intake=intake)

    async def run_alone(self, fn: Callable[..., T], *args: Any) -> T:
        """Run `fn(*args)` on the DB thread outside any transaction (VACUUM, checkpoints)."""
        return await self._submit(fn, args, transactional=False)

    async def close(self) -> None:
        if not self._thread.is_alive():
            return
        await self._submit(self._close, (), transactional=False)
        self._jobs.put(None)
        await asyncio.get_running_loop().run_in_executor(None, self._thread.join)

    async def _submit(self, fn: Callable[..., T], args: tuple, *, transactional: bool,
                      intake: Intake | None = None) -> T:
        loop = asyncio.get_running_loop()
        future: asyncio.Future = loop.create_future()
        inbox = self.loop_inbox(loop)

        def resolve(value: Any) -> None:
            inbox.post(_settle, future, value, None)

        def fail(exc: BaseException) -> None:
            inbox.post(_settle, future, None, exc)

        self._jobs.put(_Job(fn, args, transactional, resolve, fail, intake, _serving_reader.get(),
                            clock_module.organization(), not _serving_client.get()))
        return await future

    def loop_inbox(self, loop: asyncio.AbstractEventLoop) -> LoopInbox:
        """How this thread hands results and publishes to `loop`: a batch wakes it once."""
        inbox = self._inbox
        if inbox is None or inbox.loop is not loop:
            inbox = self._inbox = LoopInbox(loop)
        return inbox

    # --- on the DB thread ---------------------------------------------------------------

    def cache(self, name: str, *, lasting: bool = False) -> dict[Any, Any]:
        """A named cache of this sandbox (DB thread only), emptied by `forget_caches()`. A `lasting`
        one holds answers about things that never change once stored (an email's received bytes):
        another process's writes leave it alone (`forget_caches(lasting=False)`); a reset empties it."""
        if lasting:
            self._lasting.add(name)
        return self._caches.setdefault(name, {})

    def forget_caches(self, lasting: bool = True) -> None:
        """Drop what was read from tables a reset just emptied or changed (DB thread); with
        `lasting=False` (another process wrote), keep the lasting caches."""
        for name, cache in self._caches.items():
            if lasting or name not in self._lasting:
                cache.clear()
        self.counters.clear()

    def _open(self) -> None:
        self._refuse_newer()
        self._db = open_connection(self.path)
        bind_thread(self, self._db)
        clock_module.bind(self.clock)
        self._db.connect(reuse_if_open=True)
        renumbered = self.engine.opened(self.path)
        create_schema(self.path)
        if renumbered:  # VACUUM may renumber rowids, which SQLite's search index is keyed by
            fulltext.forget_all()

    def _refuse_newer(self) -> None:
        """Raise DatabaseTooNew for a database a newer release migrated, leaving it byte for byte
        as it was: a SQLite file is read through a connection without our pragmas, since setting
        them writes (the engine's `peek`; a server connection is checked once opened)."""
        peek = self.engine.peek(self.path)
        if peek is None:
            return
        bind_thread(self, peek)
        try:
            refuse_newer()
        finally:
            peek.close()
            bind_thread(None, None)

    def _close(self) -> None:
        if self._db is not None and not self._db.is_closed():
            self.engine.closing(self.path)
            self._db.close()

    def _work(self) -> None:
        while True:
            job = self._next()
            if job is None:
                self._run_deferred()
                self._settle_all()
                return
            if job.intake is not None:
                intake = job.intake
                self._accept(intake, self._gather(job, lambda j: j.intake is intake, intake.max_batch))
                continue
            if not job.transactional:
                self._run_deferred()
                self._settle_all()
                job.call_alone()
                continue
            if job.background and self._holds_back(time.monotonic()):
                self._deferred.append(job)
                continue
            batch = self._gather(job, lambda j: j.transactional and j.intake is None and not (
                j.background and self._deferred), self.MAX_BATCH)
            if any(j.barrier for j in batch):
                self._settle_all()  # what runs next sees every item accepted before it
            self._run_paced(batch)

    def _holds_back(self, now: float) -> bool:
        """Background work waits: an intake is busy and background had its share of late."""
        return now < self._busy_until and now < self._background_at

    def _run_paced(self, batch: list[_Job]) -> None:
        """Run a batch; background work run while an intake is busy earns its pause."""
        started = time.monotonic()
        self._run_batch(batch)
        if started < self._busy_until and any(job.background for job in batch):
            ended = time.monotonic()
            self._background_at = ended + (ended - started) * (1 / self.BACKGROUND_SHARE - 1)

    def _run_deferred(self) -> None:
        """Run every background unit held back (before work that must see everything done)."""
        while self._deferred:
            batch = [self._deferred.popleft() for _ in range(min(self.MAX_BATCH, len(self._deferred)))]
            self._run_batch(batch)

    def _next(self) -> _Job | None:
        """The next job; while intake items wait, settle a slice whenever one is due (between
        jobs, so an acknowledgement waits for one slice at most), and background work held back
        goes on once an intake is quiet or by its share."""
        if self._held is not None:
            job, self._held = self._held, None
            return job
        while self._pending or self._deferred:
            now = time.monotonic()
            deferred_wait = float("inf")
            if self._deferred:
                if not self._holds_back(now):
                    return self._deferred.popleft()
                deferred_wait = min(self._busy_until, self._background_at) - now
                if not self._pending:
                    try:
                        return self._jobs.get(timeout=deferred_wait)
                    except queue.Empty:
                        continue
            intake, wait = min(((intake, lane.due_in(intake, now)) for intake, lane in self._pending.items()),
                               key=lambda pair: pair[1])
            if wait > 0:
                wait = min(wait, deferred_wait)
                try:
                    return self._jobs.get(timeout=wait)
                except queue.Empty:
                    continue
            busy = self._pending[intake].busy(intake, now)
            if busy and not self._jobs.empty():
                return self._jobs.get_nowait()  # a paced slice waits for a moment with nothing to do
            self._settle_slice(intake, intake.busy_settle_batch if busy else intake.settle_batch)
            try:
                return self._jobs.get_nowait()
            except queue.Empty:
                continue
        return self._jobs.get()

    def _gather(self, first: _Job, fits: Callable[[_Job], bool], limit: int) -> list[_Job]:
        """`first` and the queued jobs after it that `fits`, up to `limit`; the first job that
        does not fit is held for the next round (a None, the stop signal, too)."""
        batch = [first]
        while len(batch) < limit:
            try:
                more = self._jobs.get_nowait()
            except queue.Empty:
                break
            if more is None or not fits(more):
                self._held = more
                if more is None:
                    self._jobs.put(None)  # `_next` hands out held jobs only; stop comes from the queue
                    self._held = None
                break
            batch.append(more)
        return batch

    def _accept(self, intake: Intake, batch: list[_Job]) -> None:
        self._busy_until = time.monotonic() + intake.quiet
        items = [job.args[0] for job in batch]
        try:
            with write_transaction():
                outcomes = list(intake.accept(items))
        except Exception as exc:  # the write or its commit failed: nothing of the batch is stored
            outcomes = [exc] * len(batch)
        reset_pending_callbacks()
        accepted = [item for item, outcome in zip(items, outcomes) if not isinstance(outcome, BaseException)]
        if accepted:
            now = time.monotonic()
            lane = self._pending.get(intake)
            if lane is None:
                lane = self._pending[intake] = _Lane(intake, now)
            lane.last_accept = now
            lane.items.extend(accepted)
            lane.bytes += sum(map(intake.size, accepted))
        with self._inbox.hold() if self._inbox is not None else contextlib.nullcontext():  # one wake-up
            for job, outcome in zip(batch, outcomes):
                if isinstance(outcome, BaseException):
                    job.fail(outcome)
                else:
                    job.resolve(outcome)

    def _settle_all(self) -> None:
        for intake in list(self._pending):
            while intake in self._pending:
                self._settle_slice(intake, intake.settle_batch)

    def _settle_slice(self, intake: Intake, size: int) -> None:
        """Settle the oldest `size` items of `intake` in one unit of work."""
        lane = self._pending[intake]
        chunk = [lane.items.popleft() for _ in range(min(size, len(lane.items)))]
        lane.bytes -= sum(map(intake.size, chunk))
        if not lane.items:
            del self._pending[intake]
        started = time.monotonic()
        self._run_batch([_Job(intake.settle, (chunk,), True, _ignore, _log_failure)])
        ended = time.monotonic()
        lane.paced_at = ended + (ended - started) * (1 / intake.busy_share - 1)

    def _run_batch(self, batch: list["_Job"]) -> None:
        outcomes: list[tuple[Any, BaseException | None]] = []
        committed_callbacks: list[Callable[[], None]] = []
        try:
            with write_transaction():
                for job in batch:
                    reset_pending_callbacks()
                    try:
                        # a savepoint when batched; the caller's organization's time
                        with nested(), clock_module.for_organization(job.organization):
                            outcomes.append((job.fn(*job.args), None))
                    except Exception as exc:
                        outcomes.append((None, exc))
                    else:
                        committed_callbacks.extend(pending_callbacks())
        except Exception as exc:  # the commit itself failed: nothing of the batch is stored
            outcomes = [(None, exc)] * len(batch)
            committed_callbacks = []
        reset_pending_callbacks()
        with self._inbox.hold() if self._inbox is not None else contextlib.nullcontext():
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
    __slots__ = ("fn", "args", "transactional", "resolve", "fail", "intake", "barrier", "organization",
                 "background")

    def __init__(self, fn: Callable[..., Any], args: tuple, transactional: bool,
                 resolve: Callable[[Any], None], fail: Callable[[BaseException], None],
                 intake: Intake | None = None, barrier: bool = True, organization: str | None = None,
                 background: bool = False) -> None:
        self.fn, self.args, self.transactional = fn, args, transactional
        self.resolve, self.fail = resolve, fail
        self.intake, self.barrier = intake, barrier
        self.organization = organization  # whose clock the unit of work reads (clock.py)
        self.background = background and intake is None  # no client waits for it (`serving_client`)

    def call_alone(self) -> None:
        try:
            with clock_module.for_organization(self.organization):
                value = self.fn(*self.args)
        except Exception as exc:
            self.fail(exc)
        else:
            self.resolve(value)


def _ignore(value: Any) -> None:
    pass


def _log_failure(error: BaseException) -> None:
    # The items stay durable (their intake wrote them when accepting): a restart settles them.
    log.error("settling accepted items failed", exc_info=error)


def _settle(future: asyncio.Future, value: Any, error: BaseException | None) -> None:
    if future.cancelled():
        return
    if error is None:
        future.set_result(value)
    else:
        future.set_exception(error)




def open_in_this_thread(path: str) -> peewee.Database:
    """Open `path` (creating the schema) and bind this thread's models to it, outside any running
    sandbox: unit tests and offline tools. A running sandbox uses its `Database` thread instead."""
    connection = open_connection(path)
    bind_thread(Database(path), connection)
    connection.connect(reuse_if_open=True)
    create_schema()
    return connection


__all__ = ["Database", "Intake", "StoredSequence", "serving_reader", "serving_client", "keeping_pace",
           "apart_from_intakes", "BaseModel", "owned", "after_commit", "savepoint", "current", "database",
           "open_in_this_thread"]
