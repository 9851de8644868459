"""Applying the numbered migrations: the version a database is at, what is pending, and the steps.

Portable by construction: the version is kept in an ordinary table (`schema_version`, one row
per step applied) read and written through peewee, tables are found with peewee's
introspection, and every step runs in a transaction of its own (both SQLite and PostgreSQL
change their schema transactionally), recorded in that same transaction: a step that fails
leaves the database at the version before it. Nothing here names an engine.
"""
from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass
from types import ModuleType
from typing import Callable, Sequence

import peewee

from gclap_sandbox.storage.connection import database

log = logging.getLogger("gclap_sandbox.db")
BEFORE_VERSIONING = 0  # the version of a database made before versions were recorded


class SchemaVersion(peewee.Model):
    """One row per migration applied (or one row for the version a new database was created at)."""

    version = peewee.IntegerField(primary_key=True)
    name = peewee.CharField()
    applied_at = peewee.DateTimeField()

    class Meta:
        database = database
        table_name = "schema_version"


@dataclass(frozen=True)
class Migration:
    """One step: `apply()` brings a database at `version - 1` to `version`."""

    version: int
    name: str
    about: str  # the first line of the step's docstring: what it changes
    apply: Callable[[], None]

    @classmethod
    def of(cls, version: int, module: ModuleType) -> Migration:
        name = module.__name__.rsplit(".", 1)[-1]
        about = (module.__doc__ or "").strip().splitlines()[0] if module.__doc__ else ""
        return cls(version, name, about, module.apply)


@dataclass(frozen=True)
class Status:
    """Where a database stands. `version` is None for a database with none of our tables yet
    (it is created at the latest version), BEFORE_VERSIONING for one made before versions."""

    version: int | None
    latest: int
    pending: tuple[Migration, ...]

    @property
    def new(self) -> bool:
        return self.version is None

    @property
    def too_new(self) -> bool:
        return self.version is not None and self.version > self.latest


class DatabaseTooNew(Exception):
    """The database was migrated by a newer release than this one: it is left untouched."""

    def __init__(self, version: int, latest: int) -> None:
        super().__init__(f"its schema is at version {version}, newer than this release knows (up to {latest})")
        self.version, self.latest = version, latest


def status(migrations: Sequence[Migration], our_tables: set[str]) -> Status:
    """Where the connected database stands (reads only)."""
    latest = migrations[-1].version if migrations else 0
    tables = set(database.get_tables())
    if SchemaVersion._meta.table_name in tables:
        version = SchemaVersion.select(peewee.fn.MAX(SchemaVersion.version)).scalar() or BEFORE_VERSIONING
    elif tables & our_tables:
        version = BEFORE_VERSIONING
    else:
        return Status(None, latest, ())
    return Status(version, latest, tuple(m for m in migrations if m.version > version))


def migrate(migrations: Sequence[Migration], our_tables: set[str], create: Callable[[], None]) -> Status:
    """Bring the connected database to the latest version, outside any transaction of the caller's.

    A new database is made by `create()` and stamped with the latest version; an older one goes
    through each pending step in order; a newer one raises DatabaseTooNew before any change.
    Returns where the database stood before.
    """
    before = status(migrations, our_tables)
    if before.too_new:
        raise DatabaseTooNew(before.version, before.latest)  # type: ignore[arg-type]
    if before.new:
        with database.atomic():
            create()
            _ensure_version_table()
            _record(before.latest, "created at this version")
        return before
    for step in before.pending:
        log.info("migrating the database to version %s (%s): %s", step.version, step.name, step.about)
        with database.atomic():
            _ensure_version_table()
            step.apply()
            _record(step.version, step.name)
    return before


def _ensure_version_table() -> None:
    database.create_tables([SchemaVersion], safe=True)


def _record(version: int, name: str) -> None:
    SchemaVersion.create(version=version, name=name,
                         applied_at=datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None))
