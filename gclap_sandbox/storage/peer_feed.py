"""Mail stored by other processes on the same database, as this process can find it: the engine part.

SQLite keeps a table's rows in `rowid` order, which only grows as rows are added (the oldest
mail is what retention prunes), so "the emails after the last rowid seen" is one indexed read:
the process's background loop asks it a few times a second (server/peers.py). PostgreSQL has
no such column but tells listeners at once: each capture sends a NOTIFY in its transaction
(delivered only if it commits), and the process LISTENs on a connection of its own.
"""
from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import peewee

from gclap_sandbox.models import Email
from gclap_sandbox.storage.connection import database

CHANNEL = "gclap_sandbox_email"  # the NOTIFY channel: payload "<organization id> <email id>"


def notifies() -> bool:
    """The engine tells listeners of new mail (PostgreSQL) rather than being asked."""
    return isinstance(database.obj, peewee.PostgresqlDatabase)


def newest_marker() -> int:
    """Where the feed starts: the newest email's rowid (SQLite)."""
    return database.execute_sql(f'SELECT COALESCE(MAX(rowid), 0) FROM "{Email._meta.table_name}"').fetchone()[0]


def emails_after(marker: int, limit: int) -> tuple[int, list[Email]]:
    """Emails stored after `marker`, oldest first (SQLite), and the marker to ask from next."""
    rows = list(Email.select(Email, peewee.SQL("rowid").alias("feed_marker"))
                .where(peewee.SQL("rowid") > marker).order_by(peewee.SQL("rowid")).limit(limit))
    return (rows[-1].feed_marker if rows else marker), rows


def announce(email: Email) -> None:
    """In the capture's transaction (PostgreSQL): tell the listening processes once it commits."""
    database.execute_sql("SELECT pg_notify(%s, %s)", (CHANNEL, f"{email.organization_id} {email.id}"))


def connection_settings() -> dict[str, Any]:
    """What opens a second connection to the same PostgreSQL database (DB thread)."""
    db = database.obj
    return {"dbname": db.database, **db.connect_params}


async def listen(settings: dict[str, Any]) -> AsyncIterator[tuple[str, str]]:
    """(organization id, email id) of each email other processes store (PostgreSQL), until cancelled."""
    import psycopg  # only a PostgreSQL sandbox needs it

    connection = await psycopg.AsyncConnection.connect(autocommit=True, **settings)
    try:
        await connection.execute(f"LISTEN {CHANNEL}")
        async for notice in connection.notifies():
            organization_id, _, email_id = notice.payload.partition(" ")
            yield organization_id, email_id
    finally:
        await asyncio.shield(connection.close())


def change_marker() -> int | None:
    """A number that changes whenever another connection commits to the database (SQLite's
    `data_version`), so cached rows may be stale; None where the engine has none (PostgreSQL)."""
    if notifies():
        return None
    return database.execute_sql("PRAGMA data_version").fetchone()[0]


def emails_by_id(ids: list[str]) -> list[Email]:
    return list(Email.select().where(Email.id.in_(ids)))
