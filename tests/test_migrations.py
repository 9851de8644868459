"""A database file from an older version gains the columns a newer version added."""
from __future__ import annotations

import sqlite3

from helpers import simple_message, smtp_send, total_count
from sandbox_process import start_sandbox


def test_older_file_gets_new_columns_and_keeps_its_mail(tmp_path):
    db = str(tmp_path / "old.sqlite3")
    first = start_sandbox(db=db)
    smtp_send(first, simple_message("before upgrade"), "a@example.com", ["dev@example.com"])
    assert first.stop() == 0
    with sqlite3.connect(db) as conn:  # play an older version: drop a column added later
        conn.execute('ALTER TABLE "email_content" DROP COLUMN "added_headers"')
    second = start_sandbox(db=db)
    try:
        with sqlite3.connect(db) as conn:
            columns = {row[1] for row in conn.execute('PRAGMA table_info("email_content")')}
        assert "added_headers" in columns
        with second.client() as api:
            assert total_count(api) == 1
            smtp_send(second, simple_message("after upgrade"), "a@example.com", ["dev@example.com"])
            assert total_count(api) == 2
    finally:
        second.stop()
