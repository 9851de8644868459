"""The schema of a sandbox's database: made at the latest version, or migrated to it (DB thread).

A new database gets every model's table at once and is stamped with the latest migration's
version; an existing one goes through the pending steps of `storage/migrations/`; one that a
newer release migrated is refused before anything is written. Then the search index, which is
derived from the mail and made per engine (`fulltext.create`), is made sure of.

A new in-memory database (every test's sandbox) is copied instead: the first one a process
makes is kept aside, and the next ones get its pages through SQLite's backup API (made by the
same code, so the same schema, byte for byte), then the version row is stamped with their own
time. Making the tables through peewee was a sixth of an in-process sandbox's start.
"""
from __future__ import annotations

import datetime
import sqlite3
import threading

from gclap_sandbox import models
from gclap_sandbox.settings import MEMORY_DB
from gclap_sandbox.storage import fulltext, migrations
from gclap_sandbox.storage.connection import database
from gclap_sandbox.storage.migrations import runner


def our_tables() -> set[str]:
    return {model._meta.table_name for model in models.BaseModel.registry}


def schema_status() -> migrations.Status:
    """Where the connected database stands against this release's migrations (reads only)."""
    return runner.status(migrations.MIGRATIONS, our_tables())


def refuse_newer() -> None:
    """Raise DatabaseTooNew when a newer release migrated the connected database (reads only)."""
    now = schema_status()
    if now.too_new:
        raise migrations.DatabaseTooNew(now.version, now.latest)  # type: ignore[arg-type]


def create_schema(location: str = "") -> migrations.Status:
    """Bring the connected database (at `location`, the `--db` value) to the latest version;
    returns where it stood before."""
    if location == MEMORY_DB and _FRESH_MEMORY.copy_to(database.connection()):
        runner.SchemaVersion.update(applied_at=_now()).execute()
    before = runner.migrate(migrations.MIGRATIONS, our_tables(), _create_tables)
    fulltext.create()
    if location == MEMORY_DB and before.new:
        _FRESH_MEMORY.keep(database.connection())
    return before


class _FreshSchema:
    """A copy of the first new in-memory database made here, schema only (no row but the version)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()  # one backup at a time from the kept copy
        self._kept: sqlite3.Connection | None = None

    def keep(self, made: sqlite3.Connection) -> None:
        with self._lock:
            if self._kept is None and isinstance(made, sqlite3.Connection):
                kept = sqlite3.connect(MEMORY_DB, check_same_thread=False)
                made.backup(kept)
                self._kept = kept

    def copy_to(self, new: sqlite3.Connection) -> bool:
        """Give the empty database `new` the kept schema; False when none is kept yet."""
        with self._lock:
            if self._kept is None or not isinstance(new, sqlite3.Connection):
                return False
            self._kept.backup(new)
            return True


_FRESH_MEMORY = _FreshSchema()  # immutable once kept: only read (copied from) after the first sandbox


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)  # as runner._record stamps it


def _create_tables() -> None:
    database.create_tables(models.BaseModel.registry, safe=True)
