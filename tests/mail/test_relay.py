"""Relaying captured mail to a second, real SMTP server (the `smtp_sink` fixture)."""
from __future__ import annotations

import email
import email.utils
import smtplib
import socket
import time

import pytest

FAST_RETRIES = ("--relay-retry-delays", "0.2,0.2")
RAW = (b"From: Ana <ana@app.test>\r\nTo: bob@team.test\r\nSubject: Relay me\r\n"
       b"Date: Mon, 05 Jan 2026 10:00:00 +0000\r\nMessage-ID: <relay-1@app.test>\r\n"
       b"X-Custom: kept as is\r\n\r\nHello over relay.\r\n.dot line\r\n")


def smtp_send(sandbox, recipients, raw=RAW, sender="ana@app.test"):
    with smtplib.SMTP(sandbox.smtp_host, sandbox.smtp_port) as client:
        client.sendmail(sender, recipients, raw)


def only_email(client, **filters):
    page = client.get("/api/v1/emails/", params=filters).json()
    assert page["count"] == 1
    return page["results"][0]


def wait_relay(client, email_id, status, within=30.0):
    """Poll until the email's relay reaches `status` (a safety net, not a timing assertion)."""
    deadline = time.monotonic() + within
    while True:
        relay = client.get(f"/api/v1/emails/{email_id}/").json()["relay"]
        if relay and relay["status"] == status:
            return relay
        assert time.monotonic() < deadline, f"relay stayed {relay}"
        time.sleep(0.05)


def dead_port() -> int:
    """A port nothing listens on (connections are refused)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_smtp_mail_is_captured_and_relayed_byte_for_byte(launch, smtp_sink):
    sandbox = launch("--relay", smtp_sink.url)
    smtp_send(sandbox, ["bob@team.test"])
    received = smtp_sink.wait_for(1)[0]
    assert received.data == RAW  # headers and body exactly as the client sent them
    assert (received.mail_from, received.rcpt_tos) == ("ana@app.test", ["bob@team.test"])
    with sandbox.client() as client:
        row = only_email(client)
        assert client.get(f"/api/v1/emails/{row['id']}/raw/").content == RAW  # capture is untouched
        relay = wait_relay(client, row["id"], "relayed")
        assert relay["attempts"] == 1 and relay["last_reply"]["code"] == 250
        assert "Queued as sink-1" in relay["last_reply"]["message"]
        assert relay["jobs"][0]["trigger"] == "auto"
        assert only_email(client)["relay"]["status"] == "relayed"  # the list shows it too


def test_api_mail_is_relayed_with_its_headers(launch, smtp_sink, unique):
    sandbox = launch("--relay", smtp_sink.url)
    with sandbox.client() as client:
        sent = client.post("/api/v1/emails/send/", json={
            "to": "bob@team.test", "cc": "cat@team.test", "bcc": "dan@team.test",
            "subject": f"Hi {unique}", "text": "Body", "from_email": "Ana <ana@app.test>",
            "headers": {"X-Trace": unique}})
        assert sent.status_code == 202
        captured = client.get(f"/api/v1/emails/{sent.json()['id']}/raw/").content
    received = smtp_sink.wait_for(1)[0]
    assert sorted(received.rcpt_tos) == ["bob@team.test", "cat@team.test", "dan@team.test"]
    assert received.data.replace(b"\r\n", b"\n") == captured.replace(b"\r\n", b"\n")
    message = email.message_from_bytes(received.data)
    assert message["Subject"] == f"Hi {unique}" and message["X-Trace"] == unique
    assert message["Bcc"] is None


def test_deny_patterns_win_and_unrelayed_mail_shows_no_relay(launch, smtp_sink):
    sandbox = launch("--relay", smtp_sink.url, "--relay-deny", "*@customers.test",
                     "--relay-deny", r"re:^ceo@")
    smtp_send(sandbox, ["ceo@team.test", "someone@customers.test"], sender="x@app.test")
    smtp_send(sandbox, ["bob@team.test", "someone@customers.test"])
    received = smtp_sink.wait_for(1)
    assert received[0].rcpt_tos == ["bob@team.test"]
    with sandbox.client() as client:
        assert only_email(client, to="ceo@team.test")["relay"] is None


def test_matching_mode_relays_only_allowed_recipients(launch, smtp_sink):
    sandbox = launch("--relay", smtp_sink.url, "--relay-allow", "*@team.test",
                     "--relay-allow", "re:^qa-[0-9]+@", "--relay-deny", "boss@team.test")
    smtp_send(sandbox, ["stranger@else.test"])
    smtp_send(sandbox, ["bob@team.test", "boss@team.test", "qa-7@else.test", "stranger@else.test"])
    received = smtp_sink.wait_for(1)
    assert received[0].rcpt_tos == ["bob@team.test", "qa-7@else.test"]
    assert len(smtp_sink.handler.messages) == 1


def test_manual_mode_relays_only_on_release_to_any_recipients(launch, smtp_sink):
    sandbox = launch("--relay", smtp_sink.url, "--relay-mode", "manual", "--relay-deny", "*@prod.test")
    smtp_send(sandbox, ["bob@team.test", "real@prod.test"])
    with sandbox.client() as client:
        row = only_email(client)
        assert row["relay"] is None and smtp_sink.handler.data_calls == 0
        released = client.post(f"/api/v1/emails/{row['id']}/release/")
        assert released.status_code == 200
        result = released.json()
        assert result["status"] == "relayed" and result["trigger"] == "release"
        assert result["recipients"] == ["bob@team.test"] and result["skipped"] == ["real@prod.test"]
        assert result["last_reply"]["code"] == 250
        other = client.post(f"/api/v1/emails/{row['id']}/release/",
                            json={"to": ["QA Inbox <qa@shared.test>", "lead@shared.test"]})
        assert other.status_code == 200 and other.json()["recipients"] == ["qa@shared.test", "lead@shared.test"]
        jobs = client.get(f"/api/v1/emails/{row['id']}/").json()["relay"]["jobs"]
        assert [job["trigger"] for job in jobs] == ["release", "release"]
    first, second = smtp_sink.wait_for(2)
    assert first.rcpt_tos == ["bob@team.test"] and second.rcpt_tos == ["qa@shared.test", "lead@shared.test"]
    assert first.data == second.data == RAW


def test_temporary_refusal_is_retried_until_accepted(launch, smtp_sink):
    smtp_sink.handler.data_replies = ["451 4.3.0 Try again later", "421 4.7.0 Busy"]
    sandbox = launch("--relay", smtp_sink.url, *FAST_RETRIES)
    smtp_send(sandbox, ["bob@team.test"])
    assert smtp_sink.wait_for(1)[0].data == RAW
    with sandbox.client() as client:
        relay = wait_relay(client, only_email(client)["id"], "relayed")
    assert relay["attempts"] == 3
    history = relay["jobs"][0]["history"]
    assert [h["code"] for h in history] == [451, 421, 250]
    assert history[0]["message"] == "4.3.0 Try again later"


def test_permanent_refusal_is_recorded_and_not_retried(launch, smtp_sink):
    smtp_sink.handler.data_replies = ["554 5.7.1 Rejected as spam"]
    sandbox = launch("--relay", smtp_sink.url, *FAST_RETRIES)
    smtp_send(sandbox, ["bob@team.test"])
    with sandbox.client() as client:
        relay = wait_relay(client, only_email(client)["id"], "failed")
    assert relay["attempts"] == 1 and relay["last_reply"] == {"code": 554, "message": "5.7.1 Rejected as spam"}
    assert smtp_sink.handler.messages == []


def test_refused_recipients_are_reported_per_address(launch, smtp_sink):
    smtp_sink.handler.refuse_rcpt = {"gone@team.test": "550 5.1.1 No such user"}
    sandbox = launch("--relay", smtp_sink.url, *FAST_RETRIES)
    smtp_send(sandbox, ["bob@team.test", "gone@team.test"])
    assert smtp_sink.wait_for(1)[0].rcpt_tos == ["bob@team.test"]
    with sandbox.client() as client:
        relay = wait_relay(client, only_email(client)["id"], "partial")
    assert relay["jobs"][0]["history"][-1]["refused"] == {"gone@team.test": "550 5.1.1 No such user"}


def test_upstream_down_is_retried_then_given_up_without_losing_capture(launch):
    sandbox = launch("--relay", f"smtp://127.0.0.1:{dead_port()}", *FAST_RETRIES)
    smtp_send(sandbox, ["bob@team.test"])  # accepted at once: relaying happens after capture
    with sandbox.client() as client:
        row = only_email(client)
        assert client.get(f"/api/v1/emails/{row['id']}/raw/").content == RAW
        relay = wait_relay(client, row["id"], "failed")
        assert relay["attempts"] == 3 and relay["last_reply"]["code"] is None
        assert relay["last_reply"]["message"]  # e.g. "SMTPConnectError: ... Connection refused"
        released = client.post(f"/api/v1/emails/{row['id']}/release/")
        assert released.status_code == 502
        problem = released.json()
        assert problem["relay"]["status"] == "failed" and problem["relay"]["attempts"] == 1
        assert client.get("/healthz").status_code == 200  # still serving


def test_pending_relay_resumes_after_a_restart(launch, smtp_sink, tmp_path):
    db = str(tmp_path / "sandbox.sqlite3")
    first = launch("--relay", f"smtp://127.0.0.1:{dead_port()}", "--relay-retry-delays", "1", db=db)
    smtp_send(first, ["bob@team.test"])
    with first.client() as client:
        email_id = only_email(client)["id"]
        deadline = time.monotonic() + 30
        while client.get(f"/api/v1/emails/{email_id}/").json()["relay"]["attempts"] < 1:
            assert time.monotonic() < deadline
            time.sleep(0.05)
    first.stop()
    second = launch("--relay", smtp_sink.url, "--relay-retry-delays", "1", db=db)
    assert smtp_sink.wait_for(1)[0].data == RAW
    with second.client() as client:
        relay = wait_relay(client, email_id, "relayed")
    assert relay["attempts"] == 2 and relay["last_reply"]["code"] == 250


def test_release_bad_input_and_unconfigured_relay(sandbox, launch, smtp_sink, unique):
    with sandbox.client() as client:
        sent = client.post("/api/v1/emails/send/", json={"to": f"{unique}@team.test", "subject": "s", "text": "t"})
        email_id = sent.json()["id"]
        unconfigured = client.post(f"/api/v1/emails/{email_id}/release/")
        assert unconfigured.status_code == 409 and "--relay" in unconfigured.json()["detail"]
    relaying = launch("--relay", smtp_sink.url, "--relay-mode", "manual", "--relay-deny", "*@prod.test")
    with relaying.client() as client:
        email_id = client.post("/api/v1/emails/send/", json={"to": "a@prod.test", "subject": "s",
                                                             "text": "t"}).json()["id"]
        url = f"/api/v1/emails/{email_id}/release/"
        for body, field in (({"to": []}, "to"), ({"to": ["not-an-address"]}, "to[0]"),
                            ({"to": ["ok@team.test", "b@prod.test"]}, "to[1]"), ({"cc": ["x@y.test"]}, "cc")):
            response = client.post(url, json=body)
            assert response.status_code == 400, body
            assert response.headers["content-type"] == "application/problem+json"
            assert field in response.json()["errors"]
        assert client.post(url, content=b"{nope").status_code == 400
        denied = client.post(url)
        assert denied.status_code == 409 and "deny" in denied.json()["detail"]
        missing = client.post("/api/v1/emails/00000000-0000-4000-8000-000000000000/release/")
        assert missing.status_code == 404
        assert client.get(f"/api/v1/emails/{email_id}/").json()["relay"] is None  # nothing recorded
    assert smtp_sink.handler.data_calls == 0


def test_release_needs_the_send_scope(launch, smtp_sink):
    sandbox = launch("--relay", smtp_sink.url)
    with sandbox.client(api_key="gclap_test_wrong") as client:
        assert client.post("/api/v1/emails/00000000-0000-4000-8000-000000000000/release/").status_code == 401


@pytest.mark.parametrize("flags, complaint", [
    (("--relay", "http://mail.test"), "smtp://"),
    (("--relay", "smtp://h:25", "--relay-mode", "matching"), "--relay-allow"),
    (("--relay", "smtp://h:25", "--relay-allow", "re:("), "--relay-allow"),
    (("--relay", "smtp://h:25", "--relay-retry-delays", "1,x"), "--relay-retry-delays"),
])
def test_bad_relay_flags_stop_serve_with_a_clear_message(flags, complaint):
    from click.testing import CliRunner

    from gclap_sandbox.cli.commands import main

    result = CliRunner().invoke(main, ["serve", "--http", "0", "--smtp", "0", *flags])
    assert result.exit_code == 1 and complaint in result.output


def test_null_sender_bounces_are_relayed(launch, smtp_sink):
    sandbox = launch("--relay", smtp_sink.url)
    bounce = (b"To: bob@team.test\r\nSubject: Undeliverable\r\nDate: Mon, 05 Jan 2026 10:00:00 +0000\r\n"
              b"Message-ID: <bounce-1@mta.test>\r\n\r\nbounce\r\n")
    smtp_send(sandbox, ["bob@team.test"], raw=bounce, sender="")
    received = smtp_sink.wait_for(1)[0]
    assert received.mail_from == "<>" and received.data == bounce


def test_mail_without_message_id_or_date_is_relayed_with_them_as_an_mta_adds_them(launch, smtp_sink):
    sandbox = launch("--relay", smtp_sink.url)
    bare = b"From: ana@app.test\r\nTo: bob@team.test\r\nSubject: Bare\r\nMessage-ID:  \r\n\r\nHello\r\n"
    smtp_send(sandbox, ["bob@team.test"], raw=bare)
    relayed = smtp_sink.wait_for(1)[0].data
    with sandbox.client() as client:
        row = only_email(client)
        assert client.get(f"/api/v1/emails/{row['id']}/raw/").content == bare  # capture is untouched
    head, body = relayed.split(b"\r\n\r\n", 1)
    lines = head.split(b"\r\n")
    assert lines[0] == b"Message-ID: " + row["message_id"].encode()  # the blank one is replaced
    assert lines[1].startswith(b"Date: ") and email.utils.parsedate_to_datetime(lines[1][6:].decode())
    assert lines[2:] == [b"From: ana@app.test", b"To: bob@team.test", b"Subject: Bare"]
    assert body == b"Hello\r\n"


def test_tracking_rewrites_are_not_relayed(launch, smtp_sink, unique):
    sandbox = launch("--relay", smtp_sink.url)
    html = f'<p>Hi <a href="https://example.com/{unique}">link</a></p>'
    with sandbox.client() as client:
        sent = client.post("/api/v1/emails/send/", json={
            "to": "bob@team.test", "subject": "tracked", "html": html,
            "track_opens": True, "track_clicks": True, "category": "marketing"})
        assert sent.status_code == 202, sent.text
        delivered = client.get(f"/api/v1/emails/{sent.json()['id']}/raw/", params={"version": "delivered"})
        assert b"/t/click/" in delivered.content  # what the simulated recipient gets is tracked
    relayed = smtp_sink.wait_for(1)[0].data
    assert f"https://example.com/{unique}".encode() in relayed
    assert b"/t/click/" not in relayed and b"/t/open/" not in relayed
    assert b"List-Unsubscribe" not in relayed
    assert b"X-Gclap-" not in relayed  # the sandbox's own instructions stay here
