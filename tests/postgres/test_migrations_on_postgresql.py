"""The versioned migrations run on PostgreSQL as on SQLite: a database a release before versioning
left (no `schema_version`, a column and a table missing, tracked bytes in `raw`) is brought to the
latest version at start, each step recorded, and its mail reads back byte for byte."""
from __future__ import annotations

import psycopg
from cli_runs import invoke_cli
from helpers import smtp_send, total_count
from sandbox_process import start_sandbox

from gclap_sandbox.storage.migrations import LATEST, MIGRATIONS

RECEIVED = (b"From: app@example.com\r\nTo: dev@example.com\r\nSubject: old\r\nMIME-Version: 1.0\r\n"
            b"Content-Type: text/html; charset=utf-8\r\n\r\n<p><a href=\"https://shop.example/\">shop</a></p>\r\n")
TRACKED = RECEIVED.replace(b"https://shop.example/", b"http://127.0.0.1:8000/t/click/OLDTOKEN")


def as_before_versioning(url: str) -> None:
    """What a release before versioning left on the server (the layout tests/process plays on files)."""
    with psycopg.connect(url, autocommit=True) as conn:
        for statement in ('DROP TABLE "schema_version"',
                          'ALTER TABLE "email_content" DROP COLUMN "added_headers"',
                          'ALTER TABLE "email_content" DROP COLUMN "rewritten"',
                          'DROP TABLE "campaign_count"',
                          'ALTER TABLE "email_content" ADD COLUMN "original_raw" BYTEA'):
            conn.execute(statement)
        conn.execute('UPDATE "email_content" SET "original_raw" = "raw", "raw" = %s', (TRACKED,))


def columns(url: str, table: str) -> set[str]:
    with psycopg.connect(url) as conn:
        return {name for (name,) in conn.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = %s", (table,))}


def test_a_postgresql_database_from_before_versioning_is_migrated_at_start_and_keeps_its_mail(postgres_url):
    first = start_sandbox(db=postgres_url)
    smtp_send(first, RECEIVED, "app@example.com", ["dev@example.com"])
    first.stop()
    as_before_versioning(postgres_url)

    status = invoke_cli("db", "status", "--db", postgres_url)
    assert "made before versioning" in status.output and f"{len(MIGRATIONS):>4}  " in status.output

    second = start_sandbox(db=postgres_url)
    try:
        with second.client() as api:
            assert total_count(api) == 1
            [email] = api.get("/api/v1/emails/").json()["results"]
            detail = api.get(f"/api/v1/emails/{email['id']}/").json()
            assert api.get(detail["raw_url"]).content == RECEIVED
            assert api.get("/api/v1/campaigns/").status_code == 200
            smtp_send(second, RECEIVED, "app@example.com", ["dev@example.com"])
            assert total_count(api) == 2
    finally:
        second.stop()
    assert {"added_headers", "rewritten"} <= columns(postgres_url, "email_content")
    assert "original_raw" not in columns(postgres_url, "email_content")
    with psycopg.connect(postgres_url) as conn:
        applied = [row[0] for row in conn.execute('SELECT "version" FROM "schema_version" ORDER BY 1')]
    assert applied == [m.version for m in MIGRATIONS]
    status = invoke_cli("db", "status", "--db", postgres_url)
    assert f"schema version: {LATEST}; this release's latest: {LATEST}\nup to date" in status.output
