"""SMTP capture answers `250` only once the received bytes and envelope are committed, sessions
share commits, a failed write answers `451` and stores nothing, and mail acknowledged before a
SIGKILL is filed (parsed, listed, its `email.sent` recorded) at the next start."""
from __future__ import annotations

import json
import signal
import smtplib
import sqlite3
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing

import pytest
from durability import committed, usage
from helpers import wait_until
from sandbox_process import start_sandbox

CAPTURED = "captured as "


def _message(n: int, unique: str) -> bytes:
    # Odd spacing and a leading dot: the bytes must come back exactly as sent.
    return (f"From: app@example.com\r\nTo: gc-{unique}@example.com\r\nSubject: group {n}\r\n"
            f"X-Odd:   kept  \r\n\r\n.dot line {n}\r\nbody {n}\r\n").encode()


def _send(host: str, port: int, raw: bytes, unique: str) -> tuple[int, str]:
    """One session, one message; the DATA reply (code, text)."""
    with smtplib.SMTP(host, port, timeout=30) as smtp:
        smtp.ehlo()
        assert smtp.mail("app@example.com")[0] == 250
        assert smtp.rcpt(f"gc-{unique}@example.com")[0] == 250
        code, text = smtp.data(raw)
        return code, text.decode()


@pytest.fixture
def file_sandbox(tmp_path):
    db = tmp_path / "capture.sqlite3"
    running = start_sandbox(db=str(db))
    yield running, db
    running.stop()


def test_concurrent_sessions_are_each_answered_after_their_commit_and_all_filed(file_sandbox, unique):
    sandbox, db = file_sandbox

    def session(n: int) -> tuple[bytes, str, bool]:
        raw = _message(n, unique)
        code, text = _send(sandbox.smtp_host, sandbox.smtp_port, raw, unique)
        assert code == 250, text
        email_id = text.split(CAPTURED)[1].strip()
        return raw, email_id, committed(db, email_id)  # looked at the moment the 250 arrived

    with ThreadPoolExecutor(max_workers=20) as pool:
        results = list(pool.map(session, range(40)))
    assert all(committed for _, _, committed in results)
    assert len({email_id for _, email_id, _ in results}) == 40
    with sandbox.client() as api:
        for raw, email_id, _ in results:
            assert api.get(f"/api/v1/emails/{email_id}/raw/").content == raw
        listed = api.get("/api/v1/emails/", params={"to": f"gc-{unique}@example.com", "page_size": 100}).json()
        assert listed["count"] == 40
        events = api.get(f"/api/v1/emails/{results[0][1]}/events/").json()["results"]
        assert [event["type"] for event in events][:1] == ["email.sent"]


def test_answered_mail_is_filed_on_its_own_without_any_reader(file_sandbox, unique):
    sandbox, db = file_sandbox
    code, text = _send(sandbox.smtp_host, sandbox.smtp_port, _message(0, unique), unique)
    assert code == 250, text
    email_id = text.split(CAPTURED)[1].strip()

    def filed() -> bool:  # read from the file, so no request asks the sandbox to hurry
        with closing(sqlite3.connect(db)) as conn:
            return conn.execute("SELECT (SELECT count(*) FROM email WHERE id = ?) "
                                "+ (SELECT count(*) FROM event WHERE email_id = ?)", (email_id, email_id)
                                ).fetchone()[0] >= 2 and \
                conn.execute("SELECT count(*) FROM received_mail").fetchone()[0] == 0

    wait_until(filed, "the email filed with its email.sent event")


def test_a_failed_write_answers_451_and_stores_nothing(file_sandbox, unique):
    sandbox, db = file_sandbox
    assert _send(sandbox.smtp_host, sandbox.smtp_port, _message(0, unique), unique)[0] == 250
    used = usage(db)
    with closing(sqlite3.connect(db)) as conn:  # the disk refuses the next write
        conn.execute("CREATE TRIGGER refuse_received BEFORE INSERT ON received_mail "
                     "BEGIN SELECT RAISE(ABORT, 'disk refused the write'); END")
        conn.commit()
    code, text = _send(sandbox.smtp_host, sandbox.smtp_port, _message(1, unique), unique)
    assert code == 451 and "try again" in text
    with closing(sqlite3.connect(db)) as conn:
        conn.execute("DROP TRIGGER refuse_received")
        conn.commit()
    assert usage(db) == used  # the quota charge went with the refused write
    with sandbox.client() as api:
        subjects = [e["subject"] for e in api.get("/api/v1/emails/", params={"to": f"gc-{unique}@example.com"}
                                                  ).json()["results"]]
    assert subjects == ["group 0"]
    assert _send(sandbox.smtp_host, sandbox.smtp_port, _message(2, unique), unique)[0] == 250  # and on it goes


def test_mail_acknowledged_before_a_sigkill_is_filed_at_the_next_start(tmp_path, unique):
    db = tmp_path / "killed.sqlite3"
    first = start_sandbox(db=str(db), process=True)
    sent: dict[str, bytes] = {}
    try:
        with smtplib.SMTP(first.smtp_host, first.smtp_port, timeout=30) as smtp:
            smtp.ehlo()
            for n in range(30):
                raw = _message(n, unique)
                smtp.mail("app@example.com")
                smtp.rcpt(f"gc-{unique}@example.com")
                code, text = smtp.data(raw)
                assert code == 250, text
                sent[text.decode().split(CAPTURED)[1].strip()] = raw
            first.process.send_signal(signal.SIGKILL)  # no chance to file what is still received only
    finally:
        first.stop()
    again = start_sandbox(db=str(db))
    try:
        with again.client() as api:
            for email_id, raw in sent.items():
                assert api.get(f"/api/v1/emails/{email_id}/raw/").content == raw
                events = api.get(f"/api/v1/emails/{email_id}/events/").json()["results"]
                assert "email.sent" in [event["type"] for event in events]
            assert api.get("/api/v1/emails/", params={"to": f"gc-{unique}@example.com"}).json()["count"] == 30
    finally:
        again.stop()


def test_received_mail_left_by_a_killed_process_is_filed_once_at_start(tmp_path, unique):
    db = tmp_path / "left.sqlite3"
    start_sandbox(db=str(db)).stop()  # a database file with the schema and the default organization
    raw = _message(7, unique)
    with closing(sqlite3.connect(db)) as conn:
        [(organization_id,)] = conn.execute("SELECT id FROM organization").fetchall()
        envelope = {"source": "smtp", "organization_id": organization_id, "envelope_from": "app@example.com",
                    "envelope_to": [f"gc-{unique}@example.com"], "charged": True}
        conn.execute("INSERT INTO received_mail (id, raw, envelope, received_at) VALUES (?, ?, ?, ?)",
                     ("0b6c2d8e-0000-4000-8000-000000000007", raw, json.dumps(envelope), "2026-01-02 03:04:05"))
        conn.commit()
    for _ in range(2):  # a second start files nothing twice
        running = start_sandbox(db=str(db))
        try:
            with running.client() as api:
                listed = api.get("/api/v1/emails/", params={"to": f"gc-{unique}@example.com"}).json()
                assert [e["id"] for e in listed["results"]] == ["0b6c2d8e-0000-4000-8000-000000000007"]
                assert listed["results"][0]["created_at"].startswith("2026-01-02T03:04:05")
                assert api.get(f"/api/v1/emails/{listed['results'][0]['id']}/raw/").content == raw
        finally:
            running.stop()
    with closing(sqlite3.connect(db)) as conn:
        assert conn.execute("SELECT count(*) FROM received_mail").fetchone()[0] == 0
