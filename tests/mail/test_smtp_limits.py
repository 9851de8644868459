"""SMTP limits as real servers apply them: recipients per message (452 beyond the cap, the
message still goes to the first ones) shared with the API, and the message size counted
without dot-stuffing (RFC 1870)."""
from __future__ import annotations

import smtplib

import pytest
from helpers import emails_to, total_count

SIZE_LIMIT = 100_000


def _filled(subject: str, to: str, size: int, line: bytes) -> bytes:
    """A message of exactly `size` bytes: headers, then `line` over and over, then a short pad line."""
    head = f"From: a@example.com\r\nTo: {to}\r\nSubject: {subject}\r\n\r\n".encode()
    count = (size - len(head) - 2 - 100) // (len(line) + 2)
    body = (line + b"\r\n") * count
    return head + body + b"p" * (size - len(head) - len(body) - 2) + b"\r\n"


def _dotted(subject: str, to: str, size: int) -> bytes:
    """Every body line is a lone dot: the worst case for dot-stuffing (3 bytes become 4)."""
    return _filled(subject, to, size, b".")


def _plain(subject: str, to: str, size: int) -> bytes:
    return _filled(subject, to, size, b"x" * 70)


def test_recipients_beyond_the_cap_get_452_and_the_message_goes_to_the_first_ones(launch):
    box = launch("--max-recipients", "3")
    addresses = [f"r{n}@example.com" for n in range(5)]
    with box.client() as api, smtplib.SMTP(box.smtp_host, box.smtp_port) as smtp:
        smtp.ehlo()
        assert smtp.mail("a@example.com")[0] == 250
        replies = [smtp.rcpt(address) for address in addresses]
        assert [code for code, _ in replies] == [250, 250, 250, 452, 452]
        assert replies[3][1].startswith(b"4.5.3 Too many recipients")
        code, reply = smtp.data(b"Subject: many\r\n\r\nhello\r\n")
        assert code == 250, reply
        [captured] = emails_to(api, "r0@example.com")
        detail = api.get(f"/api/v1/emails/{captured['id']}/").json()
        assert sorted(r["email"] for r in detail["recipients"]) == addresses[:3]
        # The next message on the same connection starts counting again.
        assert smtp.sendmail("a@example.com", addresses[3:], b"Subject: next\r\n\r\nhi\r\n") == {}
        assert len(emails_to(api, "r4@example.com")) == 1


def test_smtplib_reports_the_refused_recipients_and_sends_to_the_rest(launch):
    box = launch("--max-recipients", "2")
    addresses = ["a1@example.com", "a2@example.com", "a3@example.com"]
    with box.client() as api, smtplib.SMTP(box.smtp_host, box.smtp_port) as smtp:
        refused = smtp.sendmail("a@example.com", addresses, b"Subject: some\r\n\r\nhi\r\n")
        assert refused == {"a3@example.com": (452, b"4.5.3 Too many recipients")}
        [captured] = emails_to(api, "a1@example.com")
        assert sorted(captured["to"] + captured["bcc"]) == addresses[:2]


def test_the_api_shares_the_recipient_cap(launch):
    box = launch(env={"GCLAP_SANDBOX_MAX_RECIPIENTS": "3"})
    with box.client() as api:
        over = api.post("/api/v1/emails/send/", json={
            "to": ["a@example.com", "b@example.com"], "cc": "c@example.com", "bcc": "d@example.com",
            "subject": "s", "text": "t"})
        assert over.status_code == 400
        assert over.json()["errors"] == {"to": ["At most 3 recipients in all (to, cc, bcc)."]}
        assert total_count(api) == 0
        fits = api.post("/api/v1/emails/send/", json={"to": ["a@example.com", "b@example.com"],
                                                      "cc": "c@example.com", "subject": "s", "text": "t"})
        assert fits.status_code == 202


def test_the_default_cap_is_1000_recipients(sandbox, api, unique):
    addresses = [f"crowd{n}-{unique}@example.com" for n in range(1001)]
    with smtplib.SMTP(sandbox.smtp_host, sandbox.smtp_port) as smtp:
        smtp.ehlo()
        smtp.mail("a@example.com")
        codes = [smtp.rcpt(address)[0] for address in addresses]
        assert codes == [250] * 1000 + [452]
        assert smtp.data(f"Subject: crowd {unique}\r\n\r\nhi\r\n".encode())[0] == 250
    [captured] = emails_to(api, addresses[999])
    assert emails_to(api, addresses[1000]) == []
    assert len(api.get(f"/api/v1/emails/{captured['id']}/").json()["recipients"]) == 1000
    too_many = api.post("/api/v1/emails/send/", json={"to": addresses, "subject": "s", "text": "t"})
    assert too_many.status_code == 400 and "At most 1000 recipients" in too_many.json()["errors"]["to"][0]


@pytest.mark.parametrize("option", [["--max-recipients", "0"], ["--max-recipients", "10001"],
                                    ["--max-recipients", "many"]])
def test_bad_max_recipients_is_a_usage_error(option):
    from click.testing import CliRunner

    from gclap_sandbox.cli.commands import main

    result = CliRunner().invoke(main, ["serve", *option])
    assert result.exit_code == 1 and "--max-recipients" in result.output


def test_dot_stuffing_does_not_count_toward_the_size_limit(launch):
    box = launch("--max-message-size", str(SIZE_LIMIT))
    dotted = _dotted("dots", "dots@example.com", SIZE_LIMIT)
    assert len(dotted) == SIZE_LIMIT and dotted.split(b"\r\n").count(b".") > 33_000
    with box.client() as api, smtplib.SMTP(box.smtp_host, box.smtp_port) as smtp:
        smtp.ehlo()
        assert smtp.esmtp_features["size"] == str(SIZE_LIMIT)
        # smtplib stuffs a dot onto every line that starts with one: 133,000 bytes on the wire.
        assert smtp.sendmail("a@example.com", ["dots@example.com"], dotted) == {}
        [captured] = emails_to(api, "dots@example.com")
        assert api.get(f"/api/v1/emails/{captured['id']}/raw/").content == dotted


@pytest.mark.parametrize("make", [_dotted, _plain], ids=["dot-stuffed", "plain"])
def test_a_message_one_byte_over_the_limit_gets_552_and_nothing_is_stored(launch, make):
    box = launch("--max-message-size", str(SIZE_LIMIT))
    over = make("over", "over@example.com", SIZE_LIMIT + 1)
    assert len(over) == SIZE_LIMIT + 1
    with box.client() as api, smtplib.SMTP(box.smtp_host, box.smtp_port) as smtp:
        # Declared with SIZE=, it is refused at MAIL FROM ...
        with pytest.raises(smtplib.SMTPSenderRefused) as declared:
            smtp.sendmail("a@example.com", ["over@example.com"], over)
        assert declared.value.smtp_code == 552
        # ... and undeclared, after DATA.
        smtp.rset()
        assert smtp.mail("a@example.com")[0] == 250 and smtp.rcpt("over@example.com")[0] == 250
        code, reply = smtp.data(over)
        assert code == 552, reply
        smtp.rset()
        assert smtp.sendmail("a@example.com", ["after@example.com"], b"Subject: ok\r\n\r\nok\r\n") == {}
        assert emails_to(api, "over@example.com") == []
        assert total_count(api) == 1
