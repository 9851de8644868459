"""Two sandboxes in one Python process keep apart: their mail, clocks, keys and webhooks."""
from __future__ import annotations

import smtplib

from sandbox_process import start_sandbox


def test_two_sandboxes_in_one_process_keep_their_mail_and_clocks_apart():
    first, second = start_sandbox(), start_sandbox()
    try:
        with smtplib.SMTP(first.smtp_host, first.smtp_port) as smtp:
            smtp.sendmail("app@example.com", ["ana@example.com"], b"Subject: For the first\r\n\r\nhi\r\n")
        with first.client() as api:
            api.post("/api/v1/emails/send/", json={"to": "bo@example.com", "subject": "API one", "text": "x"})
            moved = api.post("/api/v1/sandbox/clock/advance/", json={"seconds": 3 * 86400}).json()
            assert moved["offset_seconds"] >= 3 * 86400 - 1
            assert sorted(e["subject"] for e in api.get("/api/v1/emails/").json()["results"]) == [
                "API one", "For the first"]
        with second.client() as api:
            assert api.get("/api/v1/emails/").json()["count"] == 0
            assert api.get("/api/v1/sandbox/clock/").json()["offset_seconds"] == 0
            # Each answers only its own key.
            assert api.get("/api/v1/emails/", headers={"Authorization": f"Bearer {first.api_key}"}).status_code == 401
            api.post("/api/v1/emails/send/", json={"to": "cy@example.com", "subject": "Second", "text": "x"})
            events = api.get("/api/v1/events/", params={"type": "email.sent"}).json()["results"]
            assert [e["recipient"] for e in events] == ["cy@example.com"]
        with first.client() as api:
            assert api.get("/api/v1/emails/", params={"subject": "Second"}).json()["count"] == 0
    finally:
        first.stop()
        second.stop()


def test_a_sandbox_stopped_beside_a_running_one_leaves_it_working():
    first, second = start_sandbox(), start_sandbox()
    first.stop()
    try:
        with second.client() as api:
            sent = api.post("/api/v1/emails/send/", json={"to": "dee@example.com", "subject": "Still here", "text": "x"})
            assert sent.status_code == 202
            assert api.get("/api/v1/emails/").json()["count"] == 1
    finally:
        second.stop()
