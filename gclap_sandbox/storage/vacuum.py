"""Giving space back on SQLite: the file shrinks after a reset or a prune (incremental vacuum).

(The SQLite engine's part of `engine.shrink`; PostgreSQL's autovacuum does this on its own.)

New files are created with `auto_vacuum = INCREMENTAL` (storage/connection.py PRAGMAS), so the
pages that deleted mail leaves behind can be cut off the end of the file. A file made by an
older version has no auto-vacuum; switching it on takes one full VACUUM, done once at start-up.
Both run outside any transaction (`Database.run_alone`).
"""
from __future__ import annotations

import logging

from gclap_sandbox.storage.connection import database

log = logging.getLogger("gclap_sandbox.db")
INCREMENTAL = 2  # PRAGMA auto_vacuum's value for INCREMENTAL


def _pragma(name: str) -> int:
    return int(database.execute_sql(f"PRAGMA {name}").fetchone()[0])


def ensure_incremental(path: str) -> bool:
    """Turn incremental auto-vacuum on for an older file (one VACUUM); True when it did."""
    if path == ":memory:" or _pragma("auto_vacuum") == INCREMENTAL:
        return False
    tables = database.execute_sql("SELECT COUNT(*) FROM sqlite_master").fetchone()[0]
    database.execute_sql("PRAGMA auto_vacuum = INCREMENTAL")
    if not tables:  # a new file: the setting applies as the first table is created
        return False
    log.info("rewriting %s once (VACUUM) so that it can shrink when mail is deleted", path)
    database.execute_sql("VACUUM")
    return True


def shrink(least_free_share: float = 0.0) -> int:
    """Cut free pages off the end of the file when they are at least `least_free_share` of it,
    and empty the write-ahead log; returns the pages given back. Outside a transaction."""
    free, pages = _pragma("freelist_count"), _pragma("page_count")
    if not free or free < least_free_share * pages:
        return 0
    # One statement frees one page per step; executescript steps it to the end.
    database.connection().executescript("PRAGMA incremental_vacuum;")
    database.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
    return free - _pragma("freelist_count")
