"""`gclap-sendmail` / `gclap-sandbox sendmail` as PHP's mail(), cron and git send-email call it:
a subprocess with the message on stdin, landing in the inbox byte for byte."""
from __future__ import annotations

import os
import smtplib
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import emails_to

SENDMAIL = [str(Path(sys.executable).parent / "gclap-sendmail")]
SANDBOX_SENDMAIL = [sys.executable, "-m", "gclap_sandbox", "sendmail"]
EX_USAGE, EX_NOUSER, EX_TEMPFAIL = 64, 67, 75


def sendmail(sandbox, *args: str, stdin: bytes, command=SENDMAIL, env: dict[str, str] | None = None
             ) -> subprocess.CompletedProcess:
    environment = {**os.environ, "GCLAP_SANDBOX_SMTP": f"127.0.0.1:{sandbox.smtp_port}", **(env or {})}
    return subprocess.run([*command, *args], input=stdin, capture_output=True, timeout=60, env=environment)


def raw_of(api, address: str) -> bytes:
    [email] = emails_to(api, address)
    return api.get(f"/api/v1/emails/{email['id']}/raw/").content


@pytest.mark.parametrize("ending", [b"\r\n", b"\n"], ids=["crlf", "lf"])
def test_sendmail_t_reads_the_recipients_from_the_headers_and_keeps_every_byte(own_sandbox, unique, ending):
    lines = [b"From: App <app@example.com>", f"To: to-{unique}@example.com".encode(),
             f"Cc: cc-{unique}@example.com".encode(), f"Bcc: bcc-{unique}@example.com".encode(),
             b"Subject: dots", b"", b"a line", b".", b"..two dots", b".starts with a dot", b"last"]
    message = ending.join(lines) + ending
    result = sendmail(own_sandbox, "-t", "-oi", stdin=message)
    assert result.returncode == 0, result.stderr
    with own_sandbox.client() as api:
        assert raw_of(api, f"to-{unique}@example.com") == message
        [email] = emails_to(api, f"bcc-{unique}@example.com")
    assert email["bcc"] == [f"bcc-{unique}@example.com"] and email["cc"] == [f"cc-{unique}@example.com"]


def test_a_message_without_a_final_line_break_lands_as_it_is(own_sandbox, unique):
    message = f"From: app@example.com\nTo: nl-{unique}@example.com\nSubject: no newline\n\nno newline".encode()
    assert sendmail(own_sandbox, "-t", "-i", stdin=message).returncode == 0
    with own_sandbox.client() as api:
        assert raw_of(api, f"nl-{unique}@example.com") == message


def test_recipients_as_arguments_with_the_envelope_sender_from_f(own_sandbox, unique):
    message = b"From: app@example.com\r\nTo: someone-else@example.com\r\nSubject: args\r\n\r\nhi\r\n"
    result = sendmail(own_sandbox, "-i", "-f", f"bounces-{unique}@example.com",
                      f"one-{unique}@example.com", f"two-{unique}@example.com, three-{unique}@example.com",
                      stdin=message, command=SANDBOX_SENDMAIL)
    assert result.returncode == 0, result.stderr
    with own_sandbox.client() as api:
        for name in ("one", "two", "three"):
            assert raw_of(api, f"{name}-{unique}@example.com") == message
        [email] = emails_to(api, f"one-{unique}@example.com")
        assert not emails_to(api, "someone-else@example.com")  # arguments only, without -t
        detail = api.get(f"/api/v1/emails/{email['id']}/").json()
    assert detail["envelope_from"] == f"bounces-{unique}@example.com"


def test_without_i_a_lone_dot_ends_the_message(own_sandbox, unique):
    message = f"To: dot-{unique}@example.com\nSubject: cut\n\nkept\n.\nnot read\n".encode()
    assert sendmail(own_sandbox, "-t", stdin=message).returncode == 0
    with own_sandbox.client() as api:
        raw = raw_of(api, f"dot-{unique}@example.com")
    assert raw.endswith(b"\n\nkept\n") and b"not read" not in raw


def test_a_message_without_from_gets_one_from_f_and_F(own_sandbox, unique):
    body = f"To: name-{unique}@example.com\nSubject: cron\n\nreport\n".encode()
    assert sendmail(own_sandbox, "-t", "-i", "-f", "cron@example.com", "-F", "Cron Daemon", stdin=body).returncode == 0
    with own_sandbox.client() as api:
        assert raw_of(api, f"name-{unique}@example.com") == b"From: Cron Daemon <cron@example.com>\n" + body


def test_no_recipients_is_a_usage_error(own_sandbox):
    result = sendmail(own_sandbox, "-i", stdin=b"Subject: nobody\n\nhi\n")
    assert result.returncode == EX_USAGE and b"no recipients" in result.stderr


def test_an_unknown_option_is_a_usage_error(own_sandbox):
    result = sendmail(own_sandbox, "-Z", "a@example.com", stdin=b"Subject: x\n\nhi\n")
    assert result.returncode == EX_USAGE


def test_a_sandbox_that_is_not_running_is_a_temporary_failure(own_sandbox):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed = sock.getsockname()[1]
    result = sendmail(own_sandbox, "--smtp", f"127.0.0.1:{closed}", "-i", "a@example.com",
                      stdin=b"Subject: x\n\nhi\n")
    assert result.returncode == EX_TEMPFAIL
    assert result.stderr.decode().count("\n") == 1 and b"gclap-sandbox serve" in result.stderr


def test_with_smtp_auth_required_the_api_key_signs_in(launch, unique):
    sandbox = launch("--smtp-auth", "required")
    message = f"From: app@example.com\nTo: auth-{unique}@example.com\nSubject: auth\n\nhi\n".encode()
    refused = sendmail(sandbox, "-t", "-i", stdin=message, env={"GCLAP_SANDBOX_API_KEY": ""})
    assert refused.returncode != 0 and b"530" in refused.stderr
    accepted = sendmail(sandbox, "-t", "-i", stdin=message, env={"GCLAP_SANDBOX_API_KEY": sandbox.api_key})
    assert accepted.returncode == 0, accepted.stderr
    with sandbox.client() as api:
        assert raw_of(api, f"auth-{unique}@example.com") == message


def test_a_refused_recipient_is_reported_and_the_others_get_the_message(launch, unique):
    sandbox = launch("--max-recipients", "1")
    message = f"From: app@example.com\nTo: first-{unique}@example.com\nSubject: partial\n\nhi\n".encode()
    result = sendmail(sandbox, "-i", f"first-{unique}@example.com", f"second-{unique}@example.com", stdin=message)
    assert result.returncode == EX_NOUSER
    assert f"second-{unique}@example.com: 452".encode() in result.stderr
    with sandbox.client() as api:
        assert raw_of(api, f"first-{unique}@example.com") == message


def test_bdat_carries_the_exact_octets_in_chunks(own_sandbox, unique):
    chunks = [f"To: bdat-{unique}@example.com\nSubject: chunks\n\n".encode(), b".\r\n", b"end without newline"]
    with smtplib.SMTP("127.0.0.1", own_sandbox.smtp_port) as smtp:
        smtp.ehlo()
        assert smtp.has_extn("chunking")
        assert smtp.mail("app@example.com")[0] == 250
        assert smtp.rcpt(f"bdat-{unique}@example.com")[0] == 250
        for n, chunk in enumerate(chunks):
            smtp.putcmd("bdat", f"{len(chunk)}" + (" LAST" if n == len(chunks) - 1 else ""))
            smtp.send(chunk)
            code, _ = smtp.getreply()
            assert code == 250
    with own_sandbox.client() as api:
        assert raw_of(api, f"bdat-{unique}@example.com") == b"".join(chunks)


def test_bdat_before_rcpt_is_refused_and_the_session_goes_on(own_sandbox):
    with smtplib.SMTP("127.0.0.1", own_sandbox.smtp_port) as smtp:
        smtp.ehlo()
        smtp.putcmd("bdat", "5 LAST")
        smtp.send(b"hello")
        assert smtp.getreply()[0] == 503
        assert smtp.noop()[0] == 250  # the five octets were read as data, not as commands


def test_bdat_over_the_size_limit_is_refused(launch):
    sandbox = launch("--max-message-size", "1024")
    with smtplib.SMTP("127.0.0.1", sandbox.smtp_port) as smtp:
        smtp.ehlo()
        smtp.mail("app@example.com")
        smtp.rcpt("big@example.com")
        smtp.putcmd("bdat", "2000 LAST")
        smtp.send(b"x" * 2000)
        assert smtp.getreply()[0] == 552
    with sandbox.client() as api:
        assert not emails_to(api, "big@example.com")
