"""Pure MIME pieces: where each part sits in the bytes, rewriting one part in place, and the
header edits of the delivered and relayed versions."""
from __future__ import annotations

from datetime import datetime, timezone
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest

from gclap_sandbox.mail import message as mail
from gclap_sandbox.mail import parts as mime_parts
from gclap_sandbox.mail import writer as mime_writer
from gclap_sandbox.mail.headers import filled_headers
from gclap_sandbox.pipeline import outgoing


def _nested() -> bytes:
    inner = EmailMessage()
    inner["Subject"] = "Inner"
    inner.set_content("inner text")
    inner.add_alternative("<p>inner</p>", subtype="html")
    outer = EmailMessage()
    outer["Subject"] = "Outer"
    outer.set_content("outer text\n")
    outer.add_alternative("<p>outer <img src='cid:logo'></p>", subtype="html")
    outer.get_payload()[1].add_related(b"PNG", maintype="image", subtype="png", cid="<logo>")
    outer.add_attachment(inner)
    outer.add_attachment(b"a,b\n", maintype="text", subtype="csv", filename="t.csv")
    return outer.as_bytes(policy=policy.SMTP)


def test_every_part_span_holds_exactly_that_parts_body() -> None:
    raw = _nested()
    msg, parsed = mail.parse_message(raw)
    spans = mime_parts.part_spans(raw, msg)
    assert len(spans) == len(list(msg.walk()))  # every part placed, the enclosed message's too
    for position, part in enumerate(msg.walk()):
        span = spans[position]
        if not part.is_multipart():
            assert mime_parts.decoded(part) == message_from_bytes(
                raw[span.start:span.end], policy=policy.compat32).get_payload(decode=True)
    [forwarded] = [a for a in parsed.attachments if a.content_type == "message/rfc822"]
    _, enclosed = mail.part_content(raw, forwarded.position)
    assert enclosed.startswith(b"Subject: Inner\r\n") and enclosed.endswith(b"--\r\n")
    assert [a.content_type for a in parsed.attachments] == ["image/png", "message/rfc822", "text/csv"]
    assert (parsed.text, parsed.html) == ("outer text\n", "<p>outer <img src='cid:logo'></p>\n")


@pytest.mark.parametrize("raw", [
    b"Content-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\nContent-Type: text/plain\r\n\r\nno close",
    b"Content-Type: multipart/mixed; boundary=x\r\n\r\nthe boundary never comes",
    b"Content-Type: multipart/mixed\r\n\r\nno boundary parameter",
    b"Content-Type: message/rfc822\r\n\r\nSubject: top-level enclosed\r\n\r\nbody",
    b"Content-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\nContent-Type: message/delivery-status\r\n\r\n"
    b"Reporting-MTA: dns; a\r\n\r\nFinal-Recipient: rfc822; b@c\r\nAction: failed\r\n--x--\r\n",
    b"no headers at all",
])
def test_malformed_or_unusual_structures_parse_and_place_without_errors(raw: bytes) -> None:
    msg, parsed = mail.parse_message(raw)
    assert not [d for d in parsed.defects if d.startswith("could not")]
    spans = mime_parts.part_spans(raw, msg)
    for span in spans.values():
        assert 0 <= span.start <= span.body <= span.end <= len(raw)
    for attachment in parsed.attachments:
        mail.part_content(raw, attachment.position)


def test_a_delivery_status_part_gives_its_fields() -> None:
    raw = (b"Content-Type: multipart/report; report-type=delivery-status; boundary=x\r\n\r\n"
           b"--x\r\nContent-Type: text/plain\r\n\r\nIt bounced.\r\n"
           b"--x\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.a\r\n\r\n"
           b"Final-Recipient: rfc822; b@c.test\r\nAction: failed\r\nStatus: 5.1.1\r\n\r\n"
           b"Final-Recipient: rfc822; d@c.test\r\nAction: delayed\r\nStatus: 4.4.1\r\n--x--\r\n")
    _, parsed = mail.parse_message(raw)
    [status] = parsed.attachments
    assert status.details == {"delivery_status": {
        "message": {"Reporting-MTA": "dns; mx.a"},
        "recipients": [{"Final-Recipient": "rfc822; b@c.test", "Action": "failed", "Status": "5.1.1"},
                       {"Final-Recipient": "rfc822; d@c.test", "Action": "delayed", "Status": "4.4.1"}]}}
    assert status.size == len(raw.split(b"--x\r\nContent-Type: message/delivery-status\r\n\r\n")[1]
                              .split(b"\r\n--x--")[0])


@pytest.mark.parametrize("cte, charset", [("7bit", "us-ascii"), ("8bit", "utf-8"), ("base64", "utf-8"),
                                          ("quoted-printable", "utf-8"), ("quoted-printable", "iso-8859-1")])
def test_rewriting_the_html_part_keeps_every_other_byte(cte: str, charset: str) -> None:
    msg = EmailMessage()
    msg["Subject"] = "t"
    msg.set_content("plain part")
    accent = "" if charset == "us-ascii" else "Caf\u00e9 "
    msg.add_alternative(f"<html><body><p>{accent}<a href='https://x.test/'>x</a></p></body></html>\n",
                        subtype="html", cte=cte, charset=charset)
    raw = msg.as_bytes(policy=policy.SMTP)
    parsed_msg, parsed = mail.parse_message(raw)
    span = mime_parts.part_spans(raw, parsed_msg)[parsed.html_position]
    part = mime_parts.part_at(parsed_msg, parsed.html_position)
    new_html = mail.decoded_text(part).replace("https://x.test/", "https://sandbox.test/t/click/T")
    written = mime_writer.with_html_body(raw, span, part, new_html)
    assert written[:span.start] == raw[:span.start] and written.endswith(raw[span.end:])
    back = message_from_bytes(written, policy=policy.default).get_body(("html",))
    assert back.get_content() == new_html and back["Content-Transfer-Encoding"] == cte


NOW = datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc)


def test_the_relayed_version_adds_what_an_mta_adds_and_drops_control_headers() -> None:
    received = b"Subject: s\nMessage-ID:\n  \nX-Gclap-Simulate: opened,\n clicked\nTo: a@b.test\n\nbody\n"
    relayed = outgoing.relayed(received, "<id@sandbox>", NOW)
    assert relayed == (b"Message-ID: <id@sandbox>\nDate: Fri, 02 Jan 2026 03:04:05 GMT\n"
                       b"Subject: s\nTo: a@b.test\n\nbody\n")  # LF mail stays LF
    assert filled_headers(relayed) == {"message-id", "date", "subject", "to"}
    complete = b"Date: Thu, 01 Jan 2026 00:00:00 +0000\r\nMessage-ID: <own@x>\r\n\r\nbody\r\n"
    assert outgoing.relayed(complete, "<id@sandbox>", NOW) == complete


def test_the_delivered_version_puts_added_headers_on_the_rewritten_bytes() -> None:
    received = b"Date: Thu, 01 Jan 2026 00:00:00 +0000\r\nMessage-ID: <own@x>\r\nX-Gclap-Category: marketing\r\n\r\nA\r\n"
    rewritten = received.replace(b"\r\nA\r\n", b"\r\nB\r\n")
    delivered = outgoing.delivered(received, "<own@x>", NOW, rewritten, [("List-Unsubscribe", "<https://u>")])
    assert delivered == (b"List-Unsubscribe: <https://u>\r\nDate: Thu, 01 Jan 2026 00:00:00 +0000\r\n"
                         b"Message-ID: <own@x>\r\n\r\nB\r\n")
