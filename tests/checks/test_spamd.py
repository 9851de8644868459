"""`--spamassassin HOST:PORT`: the checks include a real spamd's report (Debian's spamd on 127.0.0.1)."""
from __future__ import annotations

import asyncio
import socket

import pytest
from checks_helpers import IMAGE_ONLY_MARKETING, checks_of, only_email_to, send_api, send_raw
from helpers import run_async

from gclap_sandbox.checks import spamd as spamc


def test_the_checks_include_spamassassins_score_rules_and_report(launch, spamd, unique):
    sandbox = launch("--spamassassin", spamd.address)
    to = f"sa-{unique}@example.com"
    send_raw(sandbox, to, IMAGE_ONLY_MARKETING.format(to=to))  # no Date, no Message-ID
    with sandbox.client() as api:
        checks = checks_of(api, only_email_to(api, to)["id"])
        again = checks_of(api, only_email_to(api, to)["id"])
    report = checks["spam"]["spamassassin"]
    assert report["threshold"] == 5.0
    rules = {rule["rule"]: rule for rule in report["rules"]}
    assert {"MISSING_DATE", "MISSING_MID"} <= set(rules), rules
    assert report["score"] == pytest.approx(sum(rule["score"] for rule in report["rules"]), abs=0.15)
    assert "Content analysis details" in report["report"]
    assert report["is_spam"] == (report["score"] >= report["threshold"])
    assert again["spam"]["spamassassin"] == report  # asked once, kept for the email


def test_a_clean_message_is_not_spam_to_spamassassin(launch, spamd, unique):
    sandbox = launch("--spamassassin", spamd.address)
    with sandbox.client() as api:
        email = send_api(api, to=f"sa-clean-{unique}@example.com", from_email="Shop <orders@shop.example>",
                         subject="Your receipt", text="Thank you for your order. Your receipt is attached.")
        report = checks_of(api, email["id"])["spam"]["spamassassin"]
    assert report["is_spam"] is False and report["score"] < report["threshold"]


def test_an_unreachable_spamd_is_reported_in_the_section_not_as_a_server_error(launch, unique):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    sandbox = launch("--spamassassin", f"127.0.0.1:{port}")
    with sandbox.client() as api:
        email = send_api(api, to=f"sa-down-{unique}@example.com", subject="Hello", text="Hello")
        spam = checks_of(api, email["id"])["spam"]
    assert spam["spamassassin"]["error"].startswith(f"Cannot reach spamd at 127.0.0.1:{port}")
    assert spam["rules"] == []  # the sandbox's own rules still ran


@pytest.mark.parametrize("reply, message", [
    (b"SPAMD/1.1 76 Bad header line: x\r\n\r\n", "spamd refused the request: 76 Bad header line: x."),
    (b"HTTP/1.1 200 OK\r\n\r\n", "spamd answered something that is not SPAMD protocol."),
    (b"SPAMD/1.1 0 EX_OK\r\nContent-length: 3\r\n\r\nabc", "spamd's answer has no readable Spam header."),
])
def test_a_reply_that_is_not_a_report_is_a_clear_error(reply, message):
    with pytest.raises(spamc.SpamdError) as failure:
        spamc.parse_reply(reply)
    assert str(failure.value) == message


def test_the_client_speaks_spamc_to_a_spamd_socket():
    """The request on the wire is what spamc -R sends: REPORT SPAMC/1.5, Content-length, the message."""
    received: list[bytes] = []

    async def scenario() -> dict:
        async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            received.append(await reader.read())  # the client ends its side after the message
            body = b"Content analysis details:   (1.0 points, 5.0 required)\n\n pts rule name   description\n" \
                   b"---- ---------- -----------\n 1.0 MISSING_DATE  Missing Date: header\n"
            writer.write(b"SPAMD/1.1 0 EX_OK\r\nContent-length: %d\r\nSpam: False ; 1.0 / 5.0\r\n\r\n" % len(body)
                         + body)
            await writer.drain()
            writer.close()

        server = await asyncio.start_server(serve, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        async with server:
            return await spamc.report("127.0.0.1", port, b"Subject: hi\r\n\r\nhello\r\n")

    answer = run_async(scenario())  # Playwright may hold a loop in this thread
    assert received == [b"REPORT SPAMC/1.5\r\nContent-length: 22\r\n\r\nSubject: hi\r\n\r\nhello\r\n"]
    assert answer["rules"] == [{"score": 1.0, "rule": "MISSING_DATE", "description": "Missing Date: header"}]
    assert (answer["is_spam"], answer["score"], answer["threshold"]) == (False, 1.0, 5.0)
