"""A database file from an older release is migrated at start and keeps its mail, byte for byte.

The previous release kept no schema version: its files are this release's layout without the
`schema_version` table, so a file is made by a sandbox here and that table dropped. Older
layouts still (a column or table missing, tracked bytes in `raw`) are played with sqlite3 on top.
"""
from __future__ import annotations

import sqlite3

from cli_runs import invoke_cli
from helpers import simple_message, smtp_send, total_count
from older_files import as_before_versioning
from sandbox_process import start_sandbox

from gclap_sandbox.storage.migrations import LATEST, MIGRATIONS


def captured_mail() -> list[bytes]:
    """Messages whose bytes a careless upgrade would change: 8-bit text, CRLF, binary attachments."""
    attachment = bytes(range(256)) * 40
    multipart = simple_message("Quarterly numbers", body="Les chiffres du trimestre, voilà.\n")
    multipart.add_attachment(attachment, maintype="application", subtype="octet-stream", filename="numbers.bin")
    eight_bit = ("From: app@example.com\r\nTo: dev@example.com\r\nSubject: Grüße aus Köln\r\n"
                 "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
                 "Content-Transfer-Encoding: 8bit\r\n\r\nZürich, Łódź and naïve cafés\r\n").encode()
    return [multipart.as_bytes().replace(b"\n", b"\r\n"), eight_bit]


def raw_by_subject(api) -> dict[str, bytes]:  # type: ignore[no-untyped-def]
    found = {}
    for email in api.get("/api/v1/emails/", params={"page_size": 100}).json()["results"]:
        detail = api.get(f"/api/v1/emails/{email['id']}/").json()
        found[email["subject"]] = api.get(detail["raw_url"]).content
    return found


def searched(api, search: str) -> list[str]:  # type: ignore[no-untyped-def]
    response = api.get("/api/v1/emails/", params={"search": search})
    assert response.status_code == 200, response.text
    return [email["subject"] for email in response.json()["results"]]


def test_a_file_from_the_previous_release_is_migrated_and_its_mail_reads_back_byte_for_byte(tmp_path):
    db = str(tmp_path / "previous.sqlite3")
    first = start_sandbox(db=db)
    with first.client() as api:
        for message in captured_mail():
            smtp_send(first, message, "app@example.com", ["dev@example.com"])
        sent = api.post("/api/v1/emails/send/", json={
            "to": ["ops@example.com"], "subject": "Sent by the API",
            "text": "An invoice for order 1234", "tags": ["billing"]})
        assert sent.status_code in (200, 201, 202), sent.text
        before = raw_by_subject(api)
    assert first.stop() == 0
    as_before_versioning(db)
    status = invoke_cli("db", "status", "--db", db)
    assert "made before versioning" in status.output and f"{len(MIGRATIONS):>4}  " in status.output

    second = start_sandbox(db=db)
    try:
        with second.client() as api:
            assert raw_by_subject(api) == before
            assert total_count(api) == 3
            assert searched(api, "Köln") == ["Grüße aus Köln"]
            assert searched(api, "invoice") == ["Sent by the API"]
            assert searched(api, "tag:billing") == ["Sent by the API"]
            smtp_send(second, simple_message("after the upgrade"), "app@example.com", ["dev@example.com"])
            assert total_count(api) == 4
    finally:
        second.stop()
    status = invoke_cli("db", "status", "--db", db)
    assert f"schema version: {LATEST}; this release's latest: {LATEST}\nup to date" in status.output


def test_an_older_file_gets_the_columns_and_tables_added_since_and_keeps_its_mail(tmp_path):
    db = str(tmp_path / "old.sqlite3")
    first = start_sandbox(db=db)
    smtp_send(first, simple_message("before upgrade"), "a@example.com", ["dev@example.com"])
    assert first.stop() == 0
    as_before_versioning(db, 'ALTER TABLE "email_content" DROP COLUMN "added_headers"', 'DROP TABLE "campaign_count"')
    second = start_sandbox(db=db)
    try:
        with sqlite3.connect(db) as conn:
            columns = {row[1] for row in conn.execute('PRAGMA table_info("email_content")')}
        conn.close()
        assert "added_headers" in columns
        with second.client() as api:
            assert total_count(api) == 1
            smtp_send(second, simple_message("after upgrade"), "a@example.com", ["dev@example.com"])
            assert total_count(api) == 2
            assert api.get("/api/v1/campaigns/").status_code == 200
    finally:
        second.stop()


def test_an_older_file_with_tracked_mail_serves_the_received_bytes_after_the_upgrade(tmp_path):
    """Older releases kept the tracked bytes in `raw` and the received ones in `original_raw`."""
    db = str(tmp_path / "tracked.sqlite3")
    received = (b"From: app@example.com\r\nTo: dev@example.com\r\nSubject: old\r\nMIME-Version: 1.0\r\n"
                b"Content-Type: text/html; charset=utf-8\r\n\r\n<p><a href=\"https://shop.example/\">shop</a></p>\r\n")
    tracked = received.replace(b"https://shop.example/", b"http://127.0.0.1:8000/t/click/OLDTOKEN")
    first = start_sandbox(db=db)
    smtp_send(first, received, "app@example.com", ["dev@example.com"])
    assert first.stop() == 0
    as_before_versioning(
        db, 'ALTER TABLE "email_content" DROP COLUMN "rewritten"',
        'ALTER TABLE "email_content" ADD COLUMN "original_raw" BLOB',
        ('UPDATE "email_content" SET "original_raw" = "raw", "raw" = ?, "html" = ?',
         (tracked, tracked.split(b"\r\n\r\n", 1)[1].decode())),
        'UPDATE "email" SET "message_id" = NULL')
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
