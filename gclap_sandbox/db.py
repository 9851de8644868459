"""The database: a peewee proxy, SQLite pragmas, schema creation, and the one DB thread.

Every unit of work runs on a single dedicated thread (`await Database.run(fn)`), so the
asyncio loop never blocks on SQLite, writes are serialized without lock contention, and an
in-memory database (one connection) works the same as a file.
"""
from __future__ import annotations

import asyncio
import logging
import os
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable, TypeVar

import peewee

database = peewee.DatabaseProxy()
log = logging.getLogger("gclap_sandbox.db")
T = TypeVar("T")

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


def open_database(path: str) -> peewee.SqliteDatabase:
    if path != ":memory:":
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    db = peewee.SqliteDatabase(path, pragmas=PRAGMAS, check_same_thread=False)
    database.initialize(db)
    return db


def create_schema() -> None:
    import gclap_sandbox.models  # noqa: F401  (registers every model)

    database.create_tables(BaseModel.registry, safe=True)


class Database:
    """Owns the SQLite connection and the thread every query runs on."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="gclap-db")
        self._db: peewee.SqliteDatabase | None = None

    def _open(self) -> None:
        self._db = open_database(self.path)
        self._db.connect(reuse_if_open=True)
        create_schema()

    async def start(self) -> None:
        await self._call(self._open)

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        """Run `fn(*args)` in one transaction on the DB thread and return its result."""
        return await self._call(self._in_transaction, fn, *args)

    def _in_transaction(self, fn: Callable[..., T], *args: Any) -> T:
        with database.atomic():
            return fn(*args)

    async def _call(self, fn: Callable[..., T], *args: Any) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, fn, *args)

    def run_sync(self, fn: Callable[..., T], *args: Any) -> T:
        """For code already off the loop (CLI, tests): run on the DB thread and wait."""
        return self._executor.submit(self._in_transaction, fn, *args).result()

    async def close(self) -> None:
        if self._db is not None:
            await self._call(self._close)
        self._executor.shutdown(wait=True)

    def _close(self) -> None:
        assert self._db is not None
        if not self._db.is_closed():
            if self.path != ":memory:":
                self._db.execute_sql("PRAGMA optimize")
            self._db.close()
