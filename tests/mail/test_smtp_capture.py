"""Mail sent over SMTP is captured: recipients, attachments, UTF-8, size limit, broken MIME."""
from __future__ import annotations

import smtplib
from email.message import EmailMessage

import pytest
from helpers import emails_to, simple_message, smtp_send, total_count


def test_several_recipients_with_cc_and_bcc(sandbox, api, unique):
    msg = simple_message("Team update", to=f"a-{unique}@example.com, b-{unique}@example.com")
    msg["Cc"] = f"c-{unique}@example.com"
    refused = smtp_send(sandbox, msg, "app@example.com",
                        [f"a-{unique}@example.com", f"b-{unique}@example.com",
                         f"c-{unique}@example.com", f"secret-{unique}@example.com"])
    assert refused == {}
    [captured] = emails_to(api, f"secret-{unique}@example.com")
    assert captured["source"] == "smtp"
    assert captured["bcc"] == [f"secret-{unique}@example.com"]
    detail = api.get(f"/api/v1/emails/{captured['id']}/").json()
    assert {r["email"]: r["kind"] for r in detail["recipients"]} == {
        f"a-{unique}@example.com": "to", f"b-{unique}@example.com": "to",
        f"c-{unique}@example.com": "cc", f"secret-{unique}@example.com": "bcc"}
    assert detail["envelope_from"] == "app@example.com"


def test_attachments_and_inline_images(sandbox, api, unique):
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = "app@example.com", f"att-{unique}@example.com", "Files"
    msg.set_content("see attached")
    msg.add_alternative('<p>Logo: <img src="cid:logo123"></p>', subtype="html")
    msg.get_payload()[1].add_related(b"PNGDATA", "image", "png", cid="<logo123>", filename="logo.png")
    msg.add_attachment(b"col1,col2\n1,2\n", maintype="text", subtype="csv", filename="data.csv")
    msg.add_attachment(bytes(range(256)), maintype="application", subtype="octet-stream",
                       filename="blob.bin")
    smtp_send(sandbox, msg, "app@example.com", [f"att-{unique}@example.com"])
    [captured] = emails_to(api, f"att-{unique}@example.com")
    detail = api.get(f"/api/v1/emails/{captured['id']}/").json()
    assert detail["text"].strip() == "see attached"
    assert "cid:logo123" in detail["html"]
    files = {a["filename"]: a for a in detail["attachments"]}
    assert set(files) == {"logo.png", "data.csv", "blob.bin"}
    assert files["logo.png"]["inline"] and files["logo.png"]["content_id"] == "logo123"
    assert captured["attachment_count"] == 2
    assert api.get(files["blob.bin"]["download_url"]).content == bytes(range(256))
    assert api.get(files["data.csv"]["download_url"]).content == b"col1,col2\n1,2\n"


def test_smtputf8_headers_addresses_and_8bit_body(sandbox, api, unique):
    recipient = f"jürgen-{unique}@exämple.com"
    raw = (f"From: Zoë <zoë@example.com>\r\nTo: {recipient}\r\nSubject: Grüße ✓ {unique}\r\n"
           "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
           "Content-Transfer-Encoding: 8bit\r\n\r\nHällo wörld — ☃\r\n").encode("utf-8")
    with smtplib.SMTP(sandbox.smtp_host, sandbox.smtp_port) as smtp:
        smtp.ehlo()
        assert smtp.has_extn("smtputf8") and smtp.has_extn("8bitmime")
        smtp.sendmail("zoë@example.com", [recipient], raw, mail_options=["SMTPUTF8", "BODY=8BITMIME"])
    [captured] = emails_to(api, recipient)
    assert captured["subject"] == f"Grüße ✓ {unique}"
    assert captured["from_name"] == "Zoë"
    detail = api.get(f"/api/v1/emails/{captured['id']}/").json()
    assert detail["text"].strip() == "Hällo wörld — ☃"
    assert api.get(f"/api/v1/emails/{captured['id']}/raw/").content == raw


def test_raw_source_is_exactly_what_was_sent(sandbox, api, unique):
    raw = (f"From: a@example.com\r\nTo: raw-{unique}@example.com\r\nSubject: raw\r\n"
           "X-Odd:   spacing kept  \r\n\r\n.leading dot line\r\nbody\r\n").encode()
    smtp_send(sandbox, raw, "a@example.com", [f"raw-{unique}@example.com"])
    [captured] = emails_to(api, f"raw-{unique}@example.com")
    assert api.get(f"/api/v1/emails/{captured['id']}/raw/").content == raw


@pytest.mark.parametrize("raw", [
    b"this is not a MIME message at all\r\n\x00\xff\xfe binary junk\r\n",
    b"Subject: =?utf-8?B?broken\r\nContent-Type: multipart/mixed; boundary=\"nope\"\r\n\r\n--nope\r\nContent-Type: text/plain; charset=klingon\r\nContent-Transfer-Encoding: base64\r\n\r\n!!!not base64!!!\r\n",
    b"From: <<<@@@>>>\r\nTo: ,,,\r\nDate: yesterday-ish\r\nContent-Type: text/html; charset=\"unknown-8bit\"\r\n\r\n<p>\xe9t\xe9</p>\r\n",
])
def test_malformed_mime_is_stored_as_received(sandbox, api, unique, raw):
    address = f"broken-{unique}@example.com"
    smtp_send(sandbox, raw, "x@example.com", [address])
    [captured] = emails_to(api, address)
    assert api.get(f"/api/v1/emails/{captured['id']}/raw/").content == raw
    assert api.get(f"/api/v1/emails/{captured['id']}/").status_code == 200
    assert api.get("/healthz").status_code == 200  # the server is still fine


def test_oversize_message_gets_552_and_nothing_is_stored(launch):
    small = launch("--max-message-size", "2048")
    raw = b"Subject: big\r\n\r\n" + (b"y" * 70 + b"\r\n") * 60
    with small.client() as api, smtplib.SMTP(small.smtp_host, small.smtp_port) as smtp:
        smtp.ehlo()
        assert smtp.esmtp_features["size"] == "2048"
        # A client that declares SIZE= is refused at MAIL FROM ...
        with pytest.raises(smtplib.SMTPSenderRefused) as declared:
            smtp.sendmail("a@example.com", ["big@example.com"], raw)
        assert declared.value.smtp_code == 552
        # ... and one that does not is refused after DATA.
        smtp.rset()
        assert smtp.mail("a@example.com")[0] == 250
        assert smtp.rcpt("big@example.com")[0] == 250
        code, _ = smtp.data(raw)
        assert code == 552
        smtp.rset()
        smtp.sendmail("a@example.com", ["small@example.com"], b"Subject: small\r\n\r\nok\r\n")
        assert total_count(api) == 1
        assert emails_to(api, "big@example.com") == []


def test_many_messages_on_one_connection(sandbox, api, unique):
    address = f"burst-{unique}@example.com"
    with smtplib.SMTP(sandbox.smtp_host, sandbox.smtp_port) as smtp:
        for n in range(20):
            smtp.send_message(simple_message(f"burst {n}", to=address))
    subjects = [e["subject"] for e in emails_to(api, address)]
    assert subjects == [f"burst {n}" for n in reversed(range(20))]  # newest first
