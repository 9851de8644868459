"""A new in-memory database copied from the first one a process made (storage/schema.py) is the
database `create_schema` makes table by table: the same tables, indexes, triggers and settings,
stamped with its own creation time, with no row of the first one's."""
from __future__ import annotations

import datetime
from typing import Any

from gclap_sandbox.models import Organization
from gclap_sandbox.settings import MEMORY_DB
from gclap_sandbox.storage.connection import bind_thread, database
from gclap_sandbox.storage.engine import open_connection
from gclap_sandbox.storage.database import Database
from gclap_sandbox.storage.migrations.runner import SchemaVersion
from gclap_sandbox.storage.schema import create_schema


def opened(location: str = "") -> Any:
    """A new in-memory database bound to this thread, its schema made (or copied, with `location`)."""
    connection = open_connection(MEMORY_DB)
    bind_thread(Database(MEMORY_DB), connection)
    connection.connect(reuse_if_open=True)
    create_schema(location)
    return connection


def described() -> tuple[list[tuple[str, str, str]], int]:
    rows = database.execute_sql("SELECT type, name, sql FROM sqlite_master ORDER BY type, name").fetchall()
    return [tuple(row) for row in rows], database.execute_sql("PRAGMA auto_vacuum").fetchone()[0]


def test_a_copied_in_memory_database_is_the_one_made_table_by_table_with_its_own_stamp():
    made = opened()  # no location: made through peewee, never copied
    expected = described()
    made.close()

    first = opened(MEMORY_DB)  # kept aside, unless an earlier sandbox of this process was
    Organization.create(name="Only in the first")
    first.close()
    started = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
    copied = opened(MEMORY_DB)
    try:
        assert described() == expected
        assert [v.applied_at >= started for v in SchemaVersion.select()] == [True]
        assert Organization.select().count() == 0
    finally:
        copied.close()
        bind_thread(None, None)
