"""Database files as an older release left them, made from a file this release wrote."""
from __future__ import annotations

import sqlite3
from contextlib import closing


def as_before_versioning(db: str, *statements: str | tuple[str, tuple]) -> None:
    """Turn a file made by this release into one of a release before schema versions, then run
    `statements` to play an older layout still (a column or table missing)."""
    with closing(sqlite3.connect(db)) as conn, conn:
        conn.execute('DROP TABLE "schema_version"')
        for statement in statements:
            conn.execute(*((statement,) if isinstance(statement, str) else statement))
