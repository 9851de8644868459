"""`serve --db postgresql://...` keeps the whole sandbox in a PostgreSQL database: mail captured by
SMTP and by the API is listed and searched, survives a restart, and a reset empties it; a server
that cannot be reached is one line and exit 1."""
from __future__ import annotations

import psycopg
from cli_runs import invoke_cli
from helpers import simple_message, smtp_send, total_count
from sandbox_process import start_sandbox

SUBJECTS = {"Grüße aus Köln", "Your invoice 1234"}


def searched(api, search: str) -> list[str]:  # type: ignore[no-untyped-def]
    response = api.get("/api/v1/emails/", params={"search": search})
    assert response.status_code == 200, response.text
    return sorted(email["subject"] for email in response.json()["results"])


def capture_both_ways(box, api) -> None:  # type: ignore[no-untyped-def]
    message = simple_message("Grüße aus Köln", body="Zürich, Łódź and naïve cafés\n")
    smtp_send(box, message, "app@example.com", ["dev@example.com"])
    sent = api.post("/api/v1/emails/send/", json={"to": ["ops@shop.example"], "subject": "Your invoice 1234",
                                                   "text": "Invoices for March are ready.", "tags": ["Billing"]})
    assert sent.status_code == 202, sent.text


def test_a_sandbox_on_postgresql_captures_searches_keeps_its_mail_across_a_restart_and_resets(postgres_url):
    first = start_sandbox(db=postgres_url, process=True)
    try:
        assert first.db == postgres_url  # the ready line names the database (a password would be masked)
        with first.client() as api:
            capture_both_ways(first, api)
            assert total_count(api) == 2
            assert searched(api, "invo") == ["Your invoice 1234"]          # a body word's start
            assert searched(api, "cafe") == ["Grüße aus Köln"]             # accents folded
            assert searched(api, "aus kö") == ["Grüße aus Köln"]           # a piece of the subject
            assert searched(api, "to:ops@shop.example") == ["Your invoice 1234"]
            assert searched(api, "tag:billing") == ["Your invoice 1234"]
            assert searched(api, "invo.") == []                            # punctuation: the whole word
            assert api.get("/readyz").json()["database"] is True
            size = [line for line in api.get("/metrics").text.splitlines()
                    if line.startswith("gclap_sandbox_database_size_bytes ")]
            assert len(size) == 1 and float(size[0].split()[1]) > 0  # pg_database_size
    finally:
        assert first.stop() == 0
    with psycopg.connect(postgres_url) as conn:
        assert conn.execute('SELECT COUNT(*) FROM "email"').fetchone()[0] == 2

    second = start_sandbox(db=postgres_url, process=True)
    try:
        with second.client() as api:
            assert {email["subject"] for email in api.get("/api/v1/emails/").json()["results"]} == SUBJECTS
            assert searched(api, "march") == ["Your invoice 1234"]
            reset = api.post("/api/v1/sandbox/reset/")
            assert reset.status_code == 200, reset.text
            assert total_count(api) == 0
            assert searched(api, "invo") == []
            capture_both_ways(second, api)
            assert searched(api, "invo") == ["Your invoice 1234"]
    finally:
        assert second.stop() == 0


def test_db_status_reads_a_postgresql_database_as_it_reads_a_file(postgres_url):
    empty = invoke_cli("db", "status", "--db", postgres_url)
    assert empty.exit_code == 0, empty.output
    assert "no sandbox tables yet" in empty.output
    box = start_sandbox(db=postgres_url)
    box.stop()
    made = invoke_cli("db", "status", "--db", postgres_url)
    assert made.exit_code == 0, made.output
    assert "up to date: no pending migrations" in made.output


def test_a_postgresql_server_that_cannot_be_reached_is_one_line_and_exit_1(postgres_admin_url):
    unreachable = "postgresql://team:s3cret@127.0.0.1:1/sandbox"
    result = invoke_cli("serve", "--http", "127.0.0.1:0", "--smtp", "127.0.0.1:0", "--db", unreachable)
    assert result.exit_code == 1, result.output
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("Error: "), result.stderr
    assert "cannot use the PostgreSQL database postgresql://team:***@127.0.0.1:1/sandbox" in result.stderr
    assert "s3cret" not in result.stderr and "Traceback" not in result.stderr


def test_a_database_that_does_not_exist_on_the_server_is_one_line_and_exit_1(postgres_admin_url):
    missing = postgres_admin_url.rsplit("/", 1)[0] + "/no_such_sandbox_database"
    result = invoke_cli("serve", "--http", "127.0.0.1:0", "--smtp", "127.0.0.1:0", "--db", missing)
    assert result.exit_code == 1, result.output
    assert result.stderr.count("\n") == 1, result.stderr
    assert "no_such_sandbox_database" in result.stderr and "the database must exist" in result.stderr
