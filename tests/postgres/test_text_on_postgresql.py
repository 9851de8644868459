"""Whatever text SQLite keeps, PostgreSQL keeps too: a NUL character (which PostgreSQL's text
columns refuse) and the noncharacter the sandbox escapes it with read back exactly."""
from __future__ import annotations

import pytest
from sandbox_process import start_sandbox

from gclap_sandbox.storage.pg_text import escaped, unescaped

AWKWARD = ["a\x00b", "\ufdd0", "\ufdd0\ufdd2", "\x00\ufdd0\ufdd1\x00", "plain", ""]


@pytest.mark.parametrize("text", AWKWARD)
def test_escaping_reads_back_every_string_exactly(text):
    assert "\x00" not in escaped(text)
    assert unescaped(escaped(text)) == text


def test_a_subject_and_a_name_with_nul_characters_read_back_exactly_on_postgresql(postgres_url):
    box = start_sandbox(db=postgres_url)
    try:
        with box.client() as api:
            subject = "Invoice\x00 #1 \ufdd0 done"
            sent = api.post("/api/v1/emails/send/", json={"to": "dev@example.com", "subject": subject,
                                                           "text": "line\x00two"})
            assert sent.status_code == 202, sent.text
            assert api.get(f"/api/v1/emails/{sent.json()['id']}/").json()["subject"] == subject
            found = api.get("/api/v1/emails/", params={"search": "subject:\"#1 \ufdd0\""}).json()["results"]
            assert [email["subject"] for email in found] == [subject]
            contact = api.post("/api/v1/contacts/", json={"email": "nul@example.com", "first_name": "Zoë\x00"})
            assert contact.status_code == 201, contact.text
            assert api.get(f"/api/v1/contacts/{contact.json()['id']}/").json()["first_name"] == "Zoë\x00"
    finally:
        box.stop()
