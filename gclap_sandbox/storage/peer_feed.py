"""Rows other processes on the same database added (mail, events), as this process can find
them: the engine part.

SQLite keeps a table's rows in `rowid` order, which only grows as rows are added (the oldest
mail is what retention prunes), so "the rows after the last rowid seen" is one indexed read:
the process's background loop asks it a few times a second (server/peers.py). PostgreSQL has
no such column but tells listeners at once: each capture and each event sends a NOTIFY in its
transaction (delivered only if it commits), and the process LISTENs on a connection of its own.
"""
from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Container
from typing import Any

import peewee

from gclap_sandbox.storage.connection import database

CHANNEL = "gclap_sandbox_rows"  # the NOTIFY channel: payload "<table> <row id>"


def notifies() -> bool:
    """The engine tells listeners of new rows (PostgreSQL) rather than being asked."""
    return isinstance(database.obj, peewee.PostgresqlDatabase)


def newest_marker(model: type[peewee.Model]) -> int:
    """Where the feed of `model`'s rows starts: its newest rowid (SQLite)."""
    return database.execute_sql(f'SELECT COALESCE(MAX(rowid), 0) FROM "{model._meta.table_name}"').fetchone()[0]


def rows_after(model: type[peewee.Model], marker: int, limit: int,
               skip: Container[Any] = ()) -> tuple[int, list[Any]]:
    """`model`'s rows added after `marker`, oldest first (SQLite), and the marker to ask from next.
    Rows whose key is in `skip` (the process's own, most of them while it is busy) are not read."""
    rowid, key = peewee.SQL("rowid"), model._meta.primary_key
    found = list(model.select(rowid, key).where(rowid > marker).order_by(rowid).limit(limit).tuples())
    if not found:
        return marker, []
    wanted = [row_key for _, row_key in found if row_key not in skip]
    rows = list(model.select().where(key.in_(wanted)).order_by(rowid)) if wanted else []
    return found[-1][0], rows


def change_marker() -> int | None:
    """A number that changes whenever another connection commits to the database (SQLite's
    `data_version`), so cached rows may be stale; None where the engine has none (PostgreSQL)."""
    if notifies():
        return None
    return database.execute_sql("PRAGMA data_version").fetchone()[0]


def announce(model: type[peewee.Model], row_id: str) -> None:
    """In the writer's transaction (PostgreSQL): tell the listening processes once it commits."""
    database.execute_sql("SELECT pg_notify(%s, %s)", (CHANNEL, f"{model._meta.table_name} {row_id}"))


def connection_settings() -> dict[str, Any]:
    """What opens a second connection to the same PostgreSQL database (DB thread)."""
    db = database.obj
    return {"dbname": db.database, **db.connect_params}


async def listen(settings: dict[str, Any]) -> AsyncIterator[tuple[str, str]]:
    """(table, row id) of each row other processes announce (PostgreSQL), until cancelled."""
    import psycopg  # only a PostgreSQL sandbox needs it

    connection = await psycopg.AsyncConnection.connect(autocommit=True, **settings)
    try:
        await connection.execute(f"LISTEN {CHANNEL}")
        async for notice in connection.notifies():
            table, _, row_id = notice.payload.partition(" ")
            yield table, row_id
    finally:
        await asyncio.shield(connection.close())


def rows_by_id(model: type[peewee.Model], ids: list[str]) -> list[Any]:
    return list(model.select().where(model._meta.primary_key.in_(ids)))
