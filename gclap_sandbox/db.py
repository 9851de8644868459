"""The database: a peewee proxy, SQLite pragmas, schema creation, and the one DB thread.

Every unit of work runs on a single dedicated thread (`await Database.run(fn)`), so the
asyncio loop never blocks on SQLite, writes are serialized without lock contention, and an
in-memory database (one connection) works the same as a file.
"""
from __future__ import annotations

import asyncio
import itertools
import logging
import os
import queue
import threading
from contextlib import contextmanager
from typing import Any, Callable, Iterator, TypeVar

import peewee

from gclap_sandbox.errors import NotFound

database = peewee.DatabaseProxy()
log = logging.getLogger("gclap_sandbox.db")
T = TypeVar("T")
M = TypeVar("M", bound=peewee.Model)
_pending = threading.local()


def after_commit(callback: Callable[[], None]) -> None:
    """Run `callback` on the DB thread once the current unit of work has committed.

    Dropped if the unit of work fails, so nothing is announced that was not stored.
    """
    _pending.__dict__.setdefault("callbacks", []).append(callback)


@contextmanager
def savepoint() -> Iterator[None]:
    """A nested transaction; if it fails, its after-commit callbacks are dropped with it."""
    callbacks = _pending.__dict__.setdefault("callbacks", [])
    mark = len(callbacks)
    try:
        with database.atomic():
            yield
    except BaseException:
        del callbacks[mark:]
        raise

PRAGMAS = {
    "journal_mode": "wal",
    "synchronous": "normal",
    "foreign_keys": 1,
    "busy_timeout": 5000,
    "cache_size": -32 * 1024,  # 32 MiB page cache
    "temp_store": "memory",
}


class BaseModel(peewee.Model):
    """Every model subclasses this; subclasses register themselves for schema creation."""

    registry: list[type["BaseModel"]] = []
    # What `POST /sandbox/reset/` does with the rows: "data" is wiped by every reset,
    # "config" (keys, settings, ...) only by a reset with {"all": true}. See reset.py.
    reset_scope = "data"

    class Meta:
        database = database
        legacy_table_names = False

    def __init_subclass__(cls, **kw: Any) -> None:
        super().__init_subclass__(**kw)
        BaseModel.registry.append(cls)


def owned(model: type[M], organization_id: str, row_id: str, missing: str) -> M:
    """The organization's row with this id, or NotFound(`missing`): the lookup behind every
    `GET/PATCH/DELETE .../{id}/` route, so one organization never sees another's rows."""
    row = model.get_or_none((model._meta.primary_key == row_id) & (model.organization == organization_id))
    if row is None:
        raise NotFound(missing)
    return row


class StoredSequence:
    """A counter that continues after the highest value stored in `field` (read once, then kept
    in memory: the DB thread is the only writer). Forgotten when tables are emptied by a reset."""

    _all: list["StoredSequence"] = []

    def __init__(self, field: peewee.Field) -> None:
        self.field = field
        self._counter: itertools.count | None = None
        StoredSequence._all.append(self)

    def next(self) -> int:
        if self._counter is None:
            top = self.field.model.select(peewee.fn.MAX(self.field)).scalar() or 0
            self._counter = itertools.count(top + 1)
        return next(self._counter)

    @classmethod
    def forget_all(cls) -> None:
        for sequence in cls._all:
            sequence._counter = None


def open_database(path: str) -> peewee.SqliteDatabase:
    if path != ":memory:":
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    db = peewee.SqliteDatabase(path, pragmas=PRAGMAS, check_same_thread=False)
    database.initialize(db)
    return db


def create_schema() -> None:
    import gclap_sandbox.models  # (registers every model)

    database.create_tables(BaseModel.registry, safe=True)
    add_missing_columns()
    gclap_sandbox.models.emails.upgrade_older_files(database)


def add_missing_columns() -> None:
    """Additive migrations: a column a newer version added to a model is added to an older file.

    Only nullable or defaulted columns are ever added, so existing rows stay valid.
    """
    from playhouse.migrate import SchemaMigrator, migrate

    migrator = SchemaMigrator.from_database(database.obj)
    for model in BaseModel.registry:
        table = model._meta.table_name
        present = {column.name for column in database.get_columns(table)}
        missing = [f for f in model._meta.sorted_fields if f.column_name not in present]
        for field in missing:
            log.info("adding column %s.%s", table, field.column_name)
            migrate(migrator.add_column(table, field.column_name, field))


class Database:
    """Owns the SQLite connection and the one thread every query runs on.

    Units of work queue up for that thread. When several are waiting (busy SMTP or API
    traffic), the thread runs them together in one transaction, each inside its own
    savepoint, and commits once: a failing unit rolls back alone, and the commit cost is
    shared. A caller's future resolves only after the commit, so an acknowledged email is
    stored.
    """

    MAX_BATCH = 64

    def __init__(self, path: str) -> None:
        self.path = path
        self._jobs: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._work, name="gclap-db", daemon=True)
        self._db: peewee.SqliteDatabase | None = None

    async def start(self) -> None:
        self._thread.start()
        await self._submit(self._open, (), transactional=False)

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        """Run `fn(*args)` in a transaction on the DB thread and return its result."""
        return await self._submit(fn, args, transactional=True)

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

    def _open(self) -> None:
        self._db = open_database(self.path)
        self._db.connect(reuse_if_open=True)
        create_schema()

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
                    _pending.callbacks = []
                    try:
                        with database.atomic():  # a savepoint when batched
                            outcomes.append((job.fn(*job.args), None))
                    except Exception as exc:
                        outcomes.append((None, exc))
                    else:
                        committed_callbacks.extend(_pending.callbacks)
        except Exception as exc:  # the commit itself failed: nothing of the batch is stored
            outcomes = [(None, exc)] * len(batch)
            committed_callbacks = []
        _pending.callbacks = []
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
