"""Taking shared work when several processes run on one database: the engine-specific parts.

Work that runs inside one write transaction (jobs) is taken by reading its rows with
`lock_rows`: on PostgreSQL `FOR UPDATE SKIP LOCKED`, so another process's transaction skips
the rows this one holds instead of running them too; on SQLite the write transaction itself
(BEGIN IMMEDIATE, see connection.py) keeps every other process out until it commits.

Work that runs outside a transaction (a webhook post, a relay) is leased instead: a
conditional UPDATE (`lease`) records which process holds it until when, portable on both.
"""
from __future__ import annotations

import os
import socket
import uuid
from datetime import datetime, timedelta, timezone
from typing import Any

import peewee

from gclap_sandbox.storage.connection import database

# Who this process is, in the leases it writes (host, pid and a random part: a pid is reused).
OWNER = f"{socket.gethostname()[:40]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def skips_locked_rows() -> bool:
    """The engine can lock rows for a transaction and let others skip them (PostgreSQL)."""
    return isinstance(database.obj, peewee.PostgresqlDatabase)


def lock_rows(query: peewee.ModelSelect) -> peewee.ModelSelect:
    """`query` with its rows locked for this transaction and skipped by the others' (PostgreSQL);
    unchanged where the write transaction already excludes every other process (SQLite)."""
    if skips_locked_rows():
        return query.for_update("FOR UPDATE SKIP LOCKED")
    return query


def lease(model: type[peewee.Model], ids: list[Any], seconds: dict[Any, float]) -> set[Any]:
    """Take the rows `ids` of `model` for this process, each for `seconds[id]` of real time,
    unless another process holds it and its lease has not run out; the ids taken. The model has
    `claimed_by` and `claimed_until` columns; recording the outcome clears them (`released`)."""
    if not ids:
        return set()
    now = datetime.now(timezone.utc)
    key = model._meta.primary_key
    free = takeable(model)
    for span in sorted(set(seconds.values())):  # one conditional UPDATE per distinct lease length
        batch = [row_id for row_id in ids if seconds[row_id] == span]
        model.update(claimed_by=OWNER, claimed_until=now + timedelta(seconds=span)) \
            .where(key.in_(batch) & free).execute()
    return {row_id for (row_id,) in model.select(key).where(key.in_(ids) & (model.claimed_by == OWNER)).tuples()}


def takeable(model: type[peewee.Model]) -> peewee.Expression:
    """Rows no other process holds a running lease on (what this one may take, or holds itself)."""
    now = datetime.now(timezone.utc)
    return model.claimed_until.is_null() | (model.claimed_until < now) | (model.claimed_by == OWNER)


def released() -> dict[str, None]:
    """The columns that give a leased row back (set them with the outcome)."""
    return {"claimed_by": None, "claimed_until": None}
