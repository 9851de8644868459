"""Emails, their attachments and events get time-ordered UUIDs (version 7): valid UUIDs whose order
follows time."""
from __future__ import annotations

import smtplib
import uuid

import pytest
from helpers import emails_to, simple_message, wait_until

from gclap_sandbox import random_ids
from gclap_sandbox.pipeline.incoming import Incoming


def test_an_ordered_id_is_a_version_7_uuid_in_canonical_text() -> None:
    for _ in range(200):
        text = random_ids.uuid7_text()
        parsed = uuid.UUID(text)
        assert str(parsed) == text
        assert parsed.version == 7 and parsed.variant == uuid.RFC_4122


def test_ordered_ids_sort_by_the_millisecond_they_were_made_in(monkeypatch: pytest.MonkeyPatch) -> None:
    made = []
    for ms in (1_700_000_000_000, 1_700_000_000_001, 1_700_000_000_999, 1_700_000_001_000):
        monkeypatch.setattr(random_ids.time, "time_ns", lambda ms=ms: ms * 1_000_000)
        made += [random_ids.uuid7_text() for _ in range(3)]
        assert uuid.UUID(made[-1]).int >> 80 == ms  # the first 48 bits: the milliseconds
    by_ms = [made[i:i + 3] for i in range(0, len(made), 3)]
    assert all(max(earlier) < min(later) for earlier, later in zip(by_ms, by_ms[1:]))


def test_a_new_email_gets_an_ordered_id() -> None:
    incoming = Incoming(raw=b"Subject: x\r\n\r\nx\r\n", organization_id="org", source="smtp")
    assert uuid.UUID(incoming.email_id).version == 7


def test_an_email_sent_by_smtp_and_its_events_carry_ordered_ids(sandbox, api, unique) -> None:
    with smtplib.SMTP("127.0.0.1", sandbox.smtp_port, timeout=30) as smtp:
        smtp.login("apikey", sandbox.api_key)
        smtp.send_message(simple_message(f"ordered {unique}", to=f"ordered-{unique}@example.com"))
    found = wait_until(lambda: emails_to(api, f"ordered-{unique}@example.com"), "the email to be listed")
    events = api.get("/api/v1/events/", params={"email": found[0]["id"]}).json()["results"]
    assert [event["type"] for event in events] == ["email.sent"]
    assert {uuid.UUID(found[0]["id"]).version, uuid.UUID(events[0]["id"]).version} == {7}
