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


def test_older_file_with_tracked_mail_serves_the_received_bytes_after_upgrade(tmp_path):
    """Older versions kept the tracked bytes in `raw` and the received ones in `original_raw`."""
    db = str(tmp_path / "tracked.sqlite3")
    received = (b"From: app@example.com\r\nTo: dev@example.com\r\nSubject: old\r\nMIME-Version: 1.0\r\n"
                b"Content-Type: text/html; charset=utf-8\r\n\r\n<p><a href=\"https://shop.example/\">shop</a></p>\r\n")
    tracked = received.replace(b"https://shop.example/", b"http://127.0.0.1:8000/t/click/OLDTOKEN")
    first = start_sandbox(db=db)
    smtp_send(first, received, "app@example.com", ["dev@example.com"])
    assert first.stop() == 0
    with sqlite3.connect(db) as conn:  # play the older layout
        conn.execute('ALTER TABLE "email_content" DROP COLUMN "rewritten"')
        conn.execute('ALTER TABLE "email_content" ADD COLUMN "original_raw" BLOB')
        conn.execute('UPDATE "email_content" SET "original_raw" = "raw", "raw" = ?, "html" = ?',
                     (tracked, tracked.split(b"\r\n\r\n", 1)[1].decode()))
        conn.execute('UPDATE "email" SET "message_id" = NULL')
    second = start_sandbox(db=db)
    try:
        with second.client() as api:
            [email] = api.get("/api/v1/emails/").json()["results"]
            assert email["message_id"] == f"<{email['id']}@gclap-sandbox.local>"
            detail = api.get(f"/api/v1/emails/{email['id']}/").json()
            assert detail["html"] == '<p><a href="https://shop.example/">shop</a></p>\n'
            assert api.get(detail["raw_url"]).content == received
            delivered = api.get(detail["delivered_raw_url"]).content
            assert b"/t/click/OLDTOKEN" in delivered and delivered.startswith(b"Message-ID: <" + email["id"].encode())
    finally:
        second.stop()
