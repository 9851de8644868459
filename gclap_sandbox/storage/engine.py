"""What differs between SQLite and PostgreSQL, in one place: each engine is a small object.

The rest of the code writes portable peewee and portable SQL (`bulk.portable` for hand-written
statements); where the engines really differ (opening a connection, the write lock, the size
of the database, giving space back, reading a JSON attribute, the search index) it asks the
engine of the connection in use: `current()`. `for_location(--db)` picks one when a sandbox
opens its database. (PostgreSQL's text columns cannot hold NUL characters: pg_text.py escapes
them on its connections, so strings read back as SQLite keeps them.)
"""
from __future__ import annotations

import operator
import os
from contextlib import AbstractContextManager, contextmanager
from types import ModuleType
from typing import Any, Iterator
from urllib.parse import parse_qsl, unquote, urlsplit

import peewee

from gclap_sandbox import json_text
from gclap_sandbox.settings import MEMORY_DB, is_postgres
from gclap_sandbox.storage import fulltext_postgres, fulltext_sqlite, vacuum
from gclap_sandbox.storage.connection import PRAGMAS, database


class Engine:
    """SQLite: a file (or memory) opened with our pragmas, on one connection per sandbox."""

    name = "sqlite"

    def connect(self, location: str) -> peewee.Database:
        if location != MEMORY_DB:
            os.makedirs(os.path.dirname(os.path.abspath(location)), exist_ok=True)
        return peewee.SqliteDatabase(location, pragmas=PRAGMAS, check_same_thread=False)

    def peek(self, location: str) -> peewee.Database | None:
        """A connection that reads without writing anything (None: nothing there to read yet)."""
        if location == MEMORY_DB or not os.path.isfile(location):
            return None
        return peewee.SqliteDatabase(location)  # without our pragmas: setting them writes

    def write_transaction(self) -> AbstractContextManager[Any]:
        """A unit of work's outer transaction."""
        # IMMEDIATE takes the write lock at BEGIN, waiting out another writer (busy_timeout): a
        # deferred one that read first fails at once with "database is locked" when another
        # connection (a tool on the file) committed meanwhile.
        return database.atomic(lock_type="IMMEDIATE")

    def opened(self, location: str) -> bool:
        """Once connected, before the schema: True when stored rows may have been renumbered."""
        return vacuum.ensure_incremental(location)

    def closing(self, location: str) -> None:
        if location != MEMORY_DB:
            database.execute_sql("PRAGMA optimize")

    def size_bytes(self) -> int:
        pages = database.execute_sql("PRAGMA page_count").fetchone()[0]
        return int(pages) * int(database.execute_sql("PRAGMA page_size").fetchone()[0])

    def shrink(self, least_free_share: float) -> int:
        return vacuum.shrink(least_free_share)

    def json_value(self, column: peewee.Field, key: str) -> peewee.ColumnBase:
        """An attribute of a JSON text column, compared with `json_operand`s: JSON numbers compare as
        numbers, a JSON null or a missing key is NULL."""
        return peewee.fn.json_extract(column, f"$.{key}")

    def json_text(self, column: peewee.Field, key: str) -> peewee.ColumnBase:
        """The same attribute as text (for LIKE)."""
        return peewee.fn.json_extract(column, f"$.{key}")

    def json_operand(self, value: Any) -> Any:
        """A value to compare `json_value` with (equal, not equal, one of)."""
        return value

    def json_compare(self, column: peewee.Field, key: str, op: str, value: Any) -> peewee.ColumnBase:
        """The attribute `op` ("gt", "gte", "lt", "lte") `value`, ordered as SQLite orders values:
        numbers (and booleans, as 1 and 0) by value, below any text; text by its characters."""
        return _COMPARE[op](self.json_value(column, key), value)

    def json_keys(self, column: peewee.Field) -> tuple[peewee.Node, peewee.Node]:
        """A table function listing the keys of a JSON object column, and its key column."""
        return peewee.fn.json_each(column).alias("attr"), peewee.SQL("attr.key")

    def insert_returning(self, sql: str, pk: str | None) -> str:
        return sql  # the cursor's lastrowid says the new key

    def new_key(self, cursor: Any) -> Any:
        return cursor.lastrowid

    @property
    def fulltext(self) -> ModuleType:
        return fulltext_sqlite


class PostgresEngine(Engine):
    """PostgreSQL through psycopg 3: one connection per sandbox process, READ COMMITTED."""

    name = "postgresql"

    def connect(self, location: str) -> peewee.Database:
        url = urlsplit(location)
        params: dict[str, Any] = dict(parse_qsl(url.query))
        for name, value in (("user", url.username), ("password", url.password), ("host", url.hostname)):
            if value:
                params[name] = unquote(value)
        if url.port:
            params["port"] = url.port
        params.setdefault("connect_timeout", 10)
        params.setdefault("application_name", "gclap-sandbox")
        return _Postgres(unquote(url.path.lstrip("/")) or None, prefer_psycopg3=True, **params)

    def peek(self, location: str) -> peewee.Database | None:
        return None  # opening a server connection writes nothing: the schema check uses it

    def write_transaction(self) -> AbstractContextManager[Any]:
        return _one_writer_at_a_time()

    def opened(self, location: str) -> bool:
        return False

    def closing(self, location: str) -> None:
        pass  # autovacuum and the planner's statistics are the server's business

    def size_bytes(self) -> int:
        return int(database.execute_sql("SELECT pg_database_size(current_database())").fetchone()[0])

    def shrink(self, least_free_share: float) -> int:
        return 0  # the server's autovacuum reuses the space deleted rows leave

    def json_value(self, column: peewee.Field, key: str) -> peewee.ColumnBase:
        # jsonb compares numbers as numbers and strings as text; a JSON null is NULL, as in SQLite.
        value = peewee.NodeList((peewee.Cast(column, "jsonb"), peewee.SQL("->"), key))
        return peewee.fn.NULLIF(value, peewee.SQL("'null'::jsonb"))

    def json_text(self, column: peewee.Field, key: str) -> peewee.ColumnBase:
        return peewee.NodeList((peewee.Cast(column, "jsonb"), peewee.SQL("->>"), key), parens=True)

    def json_operand(self, value: Any) -> Any:
        return peewee.Cast(json_text.dumps(value), "jsonb")

    def json_compare(self, column: peewee.Field, key: str, op: str, value: Any) -> peewee.ColumnBase:
        # jsonb orders strings below numbers, SQLite above them: compare within each JSON type, and
        # say across types what SQLite says (a number is below any text).
        compare, above = _COMPARE[op], op in ("gt", "gte")
        kind = peewee.fn.jsonb_typeof(peewee.NodeList((peewee.Cast(column, "jsonb"), peewee.SQL("->"), key)))
        text = self.json_text(column, key)
        true, false = peewee.SQL("TRUE"), peewee.SQL("FALSE")
        if isinstance(value, str):
            below = true if not above else false  # a number or boolean attribute against text
            return peewee.Case(kind, [("string", compare(text, value)), ("number", below), ("boolean", below)], None)
        number = float(value) if isinstance(value, float) else int(value)
        return peewee.Case(kind, [
            ("number", compare(peewee.Cast(text, "numeric"), number)),
            ("boolean", compare(peewee.Case(text, [("true", 1)], 0), number)),
            ("string", true if above else false)], None)

    def json_keys(self, column: peewee.Field) -> tuple[peewee.Node, peewee.Node]:
        keys = peewee.fn.jsonb_object_keys(peewee.Cast(column, "jsonb"))
        return peewee.NodeList((keys, peewee.SQL("AS attr(key)"))), peewee.SQL("attr.key")

    def insert_returning(self, sql: str, pk: str | None) -> str:
        return f"{sql} RETURNING {pk}" if pk else sql

    def new_key(self, cursor: Any) -> Any:
        return cursor.fetchone()[0]

    @property
    def fulltext(self) -> ModuleType:
        return fulltext_postgres


_COMPARE = {"gt": operator.gt, "gte": operator.ge, "lt": operator.lt, "lte": operator.le}
class _Postgres(peewee.PostgresqlDatabase):
    """peewee's PostgreSQL database, its strings able to hold NUL characters (pg_text.py)."""

    def _connect(self) -> Any:
        from gclap_sandbox.storage import pg_text  # psycopg: the optional `postgres` extra

        connection = super()._connect()
        pg_text.register(connection)
        return connection


SQLITE = Engine()
POSTGRES = PostgresEngine()


def for_location(location: str) -> Engine:
    """The engine a `--db` location names."""
    return POSTGRES if is_postgres(location) else SQLITE


def current() -> Engine:
    """The engine of the connection this thread's models use."""
    return POSTGRES if isinstance(database.obj, peewee.PostgresqlDatabase) else SQLITE



# Key of the advisory lock every writing transaction on a PostgreSQL database takes first.
WRITER_LOCK = 0x67636C6170  # "gclap"


@contextmanager
def _one_writer_at_a_time() -> Iterator[Any]:
    """A unit of work's outer transaction on PostgreSQL, holding the database's writer lock (an
    advisory lock, released at COMMIT or ROLLBACK) as SQLite's IMMEDIATE holds the file's. A
    batch writes rows of several organizations (usage counters, rate windows...) in whatever
    order its units came; two processes doing so at once deadlock, so their batches take turns."""
    with database.atomic() as transaction:
        database.execute_sql("SELECT pg_advisory_xact_lock(%s)", (WRITER_LOCK,))
        yield transaction


def open_connection(location: str) -> peewee.Database:
    """A connection (not opened yet) to the database `location` names."""
    return for_location(location).connect(location)


def write_transaction() -> AbstractContextManager[Any]:
    """A unit of work's outer transaction, as the engine in use takes its write lock."""
    return current().write_transaction()


def shrink(least_free_share: float = 0.0) -> int:
    """Give space deleted rows left back, where the engine leaves that to us (outside a transaction)."""
    return current().shrink(least_free_share)
