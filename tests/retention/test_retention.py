"""Retention: `--max-emails` and `--max-age` prune the oldest mail in the background, with
everything that belongs to it, and the database file gives the space back."""
from __future__ import annotations

import base64
import os
import socket
import sqlite3
from typing import Iterator

import httpx
import pytest
from helpers import wait_until
from webhook_receiver import Receiver

from gclap_sandbox.cli.commands import StartupFailure, serve, settings_from_options
from gclap_sandbox.settings import DEFAULT_MAX_EMAILS

# Tables that name an email only as history, by its id in text: kept when the email goes, as
# when it is deleted by hand (retention/prune.py says why).
HISTORY_REFERENCES = {"suppression", "campaign_recipient", "placement_test"}


def send(api: httpx.Client, subject: str, **fields) -> dict:
    body = {"to": "Ana <ana@example.com>", "subject": subject, "text": f"Body of {subject}.", **fields}
    response = api.post("/api/v1/emails/send/", json=body)
    assert response.status_code == 202, response.text
    return response.json()


def count(api: httpx.Client, search: str | None = None) -> int:
    params = {"page_size": 1, **({"search": search} if search else {})}
    return api.get("/api/v1/emails/", params=params).json()["count"]


def file_size(path: str) -> int:
    return sum(os.path.getsize(p) for p in (path, path + "-wal") if os.path.exists(p))


def attachment(size: int) -> list[dict]:
    return [{"filename": "big.bin", "content": base64.b64encode(os.urandom(size)).decode()}]


@pytest.fixture(scope="module")
def receiver() -> Iterator[Receiver]:
    running = Receiver()
    yield running
    running.stop()


def orphans(path: str) -> dict[str, int]:
    """Rows left pointing at an email that is gone, per table (read from the file itself)."""
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        found: dict[str, int] = {}
        tables = [row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        for table in tables:
            for fk in db.execute(f'PRAGMA foreign_key_list("{table}")'):
                if fk[2] == "email":  # a foreign key to email (ON DELETE CASCADE)
                    found[table] = db.execute(f'SELECT COUNT(*) FROM "{table}" WHERE "{fk[3]}" NOT IN '
                                              '(SELECT id FROM email)').fetchone()[0]
        found["webhook_delivery"] = db.execute(
            "SELECT COUNT(*) FROM webhook_delivery WHERE email_id IS NOT NULL "
            "AND email_id NOT IN (SELECT id FROM email)").fetchone()[0]
        for index in ("email_search_fields", "email_search_body"):
            found[index] = db.execute(f"SELECT COUNT(*) FROM {index} WHERE rowid NOT IN "
                                      "(SELECT rowid FROM email)").fetchone()[0]
        return found
    finally:
        db.close()


def text_references(path: str) -> set[str]:
    """Tables with an `email_id` column that is not a foreign key."""
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        tables = [row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return {t for t in tables if any(c[1] == "email_id" for c in db.execute(f'PRAGMA table_info("{t}")'))
                and not any(fk[3] == "email_id" for fk in db.execute(f'PRAGMA foreign_key_list("{t}")'))}
    finally:
        db.close()


def test_the_oldest_emails_beyond_max_emails_go_with_everything_that_belongs_to_them(launch, tmp_path, receiver):
    path = str(tmp_path / "kept.sqlite3")
    box = launch("--max-emails", "5", db=path)
    with box.client() as api:
        endpoint = api.post("/api/v1/webhooks/endpoints/", json={"url": receiver.url("kept"),
                                                                  "events": ["email.sent"]}).json()
        for n in range(12):
            email = send(api, f"mail {n:02}", tags=["kept", f"n{n}"], cc=["ops@example.com"],
                         html=f"<p>Hello {n} <a href='https://example.com/{n}'>link</a></p>",
                         track_clicks=True, track_opens=True, attachments=attachment(2000) if n % 2 else [])
            api.post(f"/api/v1/emails/{email['id']}/simulate/", json={"event": "opened"}).raise_for_status()
        receiver.wait_for_accepted("kept", 12)
        wait_until(lambda: count(api) == 5, "pruning down to 5 emails")
        subjects = [e["subject"] for e in api.get("/api/v1/emails/", params={"page_size": 50}).json()["results"]]
        assert subjects == [f"mail {n:02}" for n in range(11, 6, -1)]
        assert count(api, "tag:kept") == 5 and count(api, "body:hello") == 5 and count(api, "cc:ops") == 5
        assert count(api, "has:attachment") == 3 and count(api, "tag:n2") == 0 and count(api, "mail") == 5
        events = api.get("/api/v1/events/", params={"page_size": 500}).json()["results"]
        assert {e["email_id"] for e in events} == {e["id"] for e in api.get("/api/v1/emails/").json()["results"]}
        assert endpoint["id"]
    left = {table: rows for table, rows in orphans(path).items() if rows}
    assert left == {}, left
    assert text_references(path) == HISTORY_REFERENCES | {"webhook_delivery"}


def refusing_url() -> str:
    """A port nobody listens on (taken, then let go): every attempt to post there is refused."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{probe.getsockname()[1]}/hook"


def attempts(api: httpx.Client, email_id: str) -> int:
    found = api.get("/api/v1/webhooks/deliveries/", params={"email": email_id}).json()["results"]
    return found[0]["attempt_count"] if found else 0


def test_deliveries_still_waiting_for_a_failing_endpoint_go_with_their_pruned_email(launch, tmp_path):
    path = str(tmp_path / "failing.sqlite3")
    box = launch("--max-emails", "3", db=path)
    with box.client() as api:
        api.post("/api/v1/webhooks/endpoints/", json={"url": refusing_url(), "events": ["email.sent"]}
                 ).raise_for_status()
        for n in range(8):
            email = send(api, f"mail {n}")
            wait_until(lambda: attempts(api, email["id"]) >= 1, f"the first attempt for mail {n}, refused")
        wait_until(lambda: count(api) == 3, "pruning down to 3 emails")
        kept = {e["id"] for e in api.get("/api/v1/emails/").json()["results"]}
        log = api.get("/api/v1/webhooks/deliveries/", params={"page_size": 50}).json()
        assert {d["email_id"] for d in log["results"]} == kept and log["count"] == 3
        assert {d["status"] for d in log["results"]} == {"pending"}  # still to be tried again
    assert orphans(path)["webhook_delivery"] == 0


def test_max_age_prunes_mail_that_a_clock_advance_makes_too_old(launch):
    box = launch("--max-age", "1h")
    with box.client() as api:
        for n in range(3):
            send(api, f"old {n}")
        api.post("/api/v1/sandbox/clock/advance/", json={"seconds": 1800}).raise_for_status()
        send(api, "newer")
        assert count(api) == 4
        api.post("/api/v1/sandbox/clock/advance/", json={"seconds": 2700}).raise_for_status()
        # Gone by the time the advance answers: the old three are 75 minutes old, "newer" 45.
        assert [e["subject"] for e in api.get("/api/v1/emails/").json()["results"]] == ["newer"]
        assert count(api, "old") == 0 and count(api, "newer") == 1


def test_max_age_follows_each_organizations_own_clock(launch):
    box = launch("--max-age", "1h")
    with box.client() as admin:
        created = admin.post("/api/v1/sandbox/organizations/", json={"name": "Other clock"})
        created.raise_for_status()
        send(admin, "default's")
        with box.client(created.json()["api_key"]["key"]) as other:
            send(other, "other's")
            other.post("/api/v1/sandbox/clock/advance/", json={"seconds": 7200}).raise_for_status()
            assert count(other) == 0  # two hours old on its clock
        assert count(admin) == 1  # minutes old on the default organization's


def test_the_file_shrinks_after_a_reset(launch, tmp_path):
    path = str(tmp_path / "reset.sqlite3")
    box = launch(db=path)
    with box.client() as api:
        for n in range(20):
            send(api, f"big {n}", attachments=attachment(150_000))
        full = file_size(path)
        assert api.post("/api/v1/sandbox/reset/").status_code == 200
        assert file_size(path) < full / 4, (file_size(path), full)
        send(api, "after the reset")
        assert count(api, "after") == 1


def test_the_file_shrinks_once_pruning_frees_much_of_it(launch, tmp_path):
    path = str(tmp_path / "aged.sqlite3")
    box = launch("--max-age", "1h", db=path)
    with box.client() as api:
        for n in range(20):
            send(api, f"big {n}", attachments=attachment(150_000))
        full = file_size(path)
        api.post("/api/v1/sandbox/clock/advance/", json={"seconds": 7200}).raise_for_status()
        assert count(api) == 0
        assert file_size(path) < full / 4, (file_size(path), full)


def test_the_file_stays_small_while_far_more_mail_than_max_emails_passes(launch, tmp_path):
    path = str(tmp_path / "stream.sqlite3")
    box = launch("--max-emails", "3", db=path)
    empty = file_size(path)  # the tables and indexes of an empty sandbox
    with box.client() as api:
        for n in range(30):
            send(api, f"stream {n}", attachments=attachment(100_000))  # ~135 kB each, base64
        wait_until(lambda: count(api) == 3, "pruning down to 3 emails")
        # 4 MB went through; room for twice the 3 emails kept is all the file may take.
        bound = empty + 2 * 3 * 140_000
        wait_until(lambda: file_size(path) < bound, f"the file to stay under {bound:,} bytes")
        assert count(api, "stream") == 3


def test_an_older_file_without_auto_vacuum_is_converted_once_and_keeps_its_mail(launch, tmp_path):
    path = str(tmp_path / "old.sqlite3")
    box = launch(db=path)
    with box.client() as api:
        send(api, "from before")
    box.stop()
    old = sqlite3.connect(path, isolation_level=None)
    old.execute("PRAGMA auto_vacuum = NONE")
    old.execute("VACUUM")  # as a file written before incremental vacuum was switched on
    assert old.execute("PRAGMA auto_vacuum").fetchone()[0] == 0
    old.close()
    box = launch(db=path)
    with box.client() as api:
        assert count(api, "before") == 1 and count(api, "body:body") == 1
    check = sqlite3.connect(path)
    assert check.execute("PRAGMA auto_vacuum").fetchone()[0] == 2
    check.close()


# --- settings -------------------------------------------------------------------------------

def settings(*args: str, env: dict[str, str] | None = None):
    with serve.make_context("serve", list(args)) as context:
        return settings_from_options(context.params)


def test_retention_defaults_to_the_newest_ten_thousand_emails_of_any_age():
    chosen = settings()
    assert (chosen.max_emails, chosen.max_age) == (DEFAULT_MAX_EMAILS, 0.0) == (10_000, 0.0)


def test_retention_flags_and_environment_variables(monkeypatch):
    assert settings("--max-emails", "0", "--max-age", "1d12h").max_age == 36 * 3600
    monkeypatch.setenv("GCLAP_SANDBOX_MAX_EMAILS", "250")
    monkeypatch.setenv("GCLAP_SANDBOX_MAX_AGE", "2w")
    chosen = settings()
    assert (chosen.max_emails, chosen.max_age) == (250, 14 * 86400)


@pytest.mark.parametrize("args, says", [
    (["--max-age", "30"], "'30' has no unit"),
    (["--max-age", "soon"], "'soon' is not a span of time"),
    (["--max-age", "30s"], "under a minute"),
    (["--max-age", "4000d"], "longer than 3650 days"),
    (["--max-emails", "-1"], "-1 is not in the range x>=0"),
    (["--max-emails", "many"], "'many' is not a valid integer"),
])
def test_bad_retention_settings_are_refused_with_a_reason(args, says):
    with pytest.raises(StartupFailure) as refused:  # one line, exit 1 (cli/commands.py)
        settings(*args)
    assert says in refused.value.format_message()

