"""What a crash would keep, read through a connection of its own from a sandbox's SQLite file."""
from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path


def committed(db: Path, email_id: str) -> bool:
    """Whether another connection sees the email (received or filed)."""
    with closing(sqlite3.connect(db)) as conn:
        return conn.execute("SELECT count(*) FROM (SELECT id FROM received_mail WHERE id = ? "
                            "UNION SELECT id FROM email WHERE id = ?)", (email_id, email_id)).fetchone()[0] == 1


def usage(db: Path) -> int:
    """The emails charged to the quotas so far."""
    with closing(sqlite3.connect(db)) as conn:
        return conn.execute("SELECT coalesce(sum(emails), 0) FROM usage_counter").fetchone()[0]
