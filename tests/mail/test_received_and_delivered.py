"""`/raw/` is what was received, byte for byte; `?version=delivered` is what a recipient would
get (tracking, List-Unsubscribe, and the Message-ID and Date a provider adds when missing)."""
from __future__ import annotations

import re
import smtplib
from email import message_from_bytes, policy
from email.utils import parsedate_to_datetime

import httpx
from helpers import assert_problem, emails_to

HTML = '<html><body>\r\n<p>Hi <a href="https://shop.example/sale">the sale</a></p>\r\n</body></html>\r\n'


def _tracked_smtp_message(to: str) -> bytes:
    """Marketing mail with tracking asked for by header, and neither Message-ID nor Date."""
    return (f"From: Shop <news@shop.example>\r\nTo: {to}\r\nSubject: Sale\r\nMIME-Version: 1.0\r\n"
            "X-Gclap-Track-Opens: yes\r\nX-Gclap-Track-Clicks: yes\r\nX-Gclap-Category: marketing\r\n"
            "Content-Type: multipart/alternative; boundary=\"alt\"\r\n\r\n"
            "--alt\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nThe sale: https://shop.example/sale\r\n"
            "--alt\r\nContent-Type: text/html; charset=utf-8\r\n\r\n" + HTML + "--alt--\r\n").encode()


def _send(sandbox, to: str, raw: bytes) -> None:
    with smtplib.SMTP(sandbox.smtp_host, sandbox.smtp_port) as smtp:
        smtp.sendmail("news@shop.example", [to], raw)


def _only(api: httpx.Client, to: str) -> dict:
    [summary] = emails_to(api, to)
    return api.get(f"/api/v1/emails/{summary['id']}/").json()


def test_raw_is_the_received_bytes_even_when_tracking_rewrote_the_delivered_version(sandbox, api, unique):
    to = f"shopper-{unique}@example.com"
    raw = _tracked_smtp_message(to)
    _send(sandbox, to, raw)
    email = _only(api, to)
    received = api.get(email["raw_url"])
    assert received.status_code == 200 and received.headers["content-type"] == "message/rfc822"
    assert received.content == raw
    assert api.get(email["raw_url"], params={"version": "received"}).content == raw
    # The API's own fields are the received message too.
    assert email["html"] == HTML.replace("\r\n", "\n").removesuffix("\n")  # that CRLF is the boundary's
    assert email["text"] == "The sale: https://shop.example/sale"
    assert "List-Unsubscribe" not in {h["name"] for h in email["headers"]}

    delivered = api.get(email["delivered_raw_url"])
    assert delivered.status_code == 200 and delivered.headers["content-type"] == "message/rfc822"
    message = message_from_bytes(delivered.content, policy=policy.default)
    html = message.get_body(("html",)).get_content()
    click = re.search(r'<a href="([^"]+)">the sale</a>', html).group(1)
    pixel = re.search(r'<img src="([^"]+)"', html).group(1)
    assert click.startswith(f"{sandbox.http_url}/t/click/") and pixel.startswith(f"{sandbox.http_url}/t/open/")
    assert message["List-Unsubscribe"].startswith(f"<{sandbox.http_url}/t/unsubscribe/")
    assert message["Message-ID"] == email["message_id"]
    assert parsedate_to_datetime(message["Date"]).isoformat().startswith(email["created_at"][:19])
    assert b"X-Gclap-" not in delivered.content  # instructions to the sandbox are not delivered
    # Only the HTML part changed: the plain part is byte for byte the received one.
    assert b"--alt\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nThe sale: https://shop.example/sale\r\n" \
        in delivered.content


def test_every_email_has_a_message_id_and_the_delivered_version_carries_it(sandbox, api, unique):
    bare_to, own_to = f"bare-{unique}@example.com", f"own-{unique}@example.com"
    bare = f"From: app@example.com\r\nTo: {bare_to}\r\nSubject: bare\r\n\r\nHello\r\n".encode()
    own = (f"From: app@example.com\r\nTo: {own_to}\r\nSubject: own\r\nDate: Mon, 05 Jan 2026 10:00:00 +0000\r\n"
           "Message-ID: <mine-1@app.example>\r\n\r\nHello\r\n").encode()
    _send(sandbox, bare_to, bare)
    _send(sandbox, own_to, own)

    email = _only(api, bare_to)
    assert re.fullmatch(r"<[0-9a-f-]{36}@gclap-sandbox\.local>", email["message_id"])
    assert emails_to(api, bare_to)[0]["message_id"] == email["message_id"]  # the list shows it too
    assert api.get(email["raw_url"]).content == bare  # never added to what was received
    delivered = api.get(email["delivered_raw_url"]).content
    head, body = delivered.split(b"\r\n\r\n", 1)
    lines = head.split(b"\r\n")
    assert lines[0] == f"Message-ID: {email['message_id']}".encode() and lines[1].startswith(b"Date: ")
    assert lines[2:] == bare.split(b"\r\n\r\n")[0].split(b"\r\n") and body == b"Hello\r\n"

    mine = _only(api, own_to)
    assert mine["message_id"] == "<mine-1@app.example>"
    assert api.get(mine["delivered_raw_url"]).content == own  # nothing to add, nothing changed


def test_api_mail_is_delivered_as_written(api, unique):
    sent = api.post("/api/v1/emails/send/", json={"to": f"plain-{unique}@example.com", "subject": "plain",
                                                 "text": "Hello"})
    email = api.get(f"/api/v1/emails/{sent.json()['id']}/").json()
    assert email["message_id"] == sent.json()["message_id"]
    assert api.get(email["delivered_raw_url"]).content == api.get(email["raw_url"]).content


def test_an_unknown_or_empty_version_is_a_400_naming_it(sandbox, api, unique):
    sent = api.post("/api/v1/emails/send/", json={"to": f"v-{unique}@example.com", "subject": "v", "text": "x"})
    raw_url = f"/api/v1/emails/{sent.json()['id']}/raw/"
    for value in ("sent", "Delivered"):
        problem = assert_problem(api.get(raw_url, params={"version": value}), 400)
        assert "version" in problem["errors"]
    problem = assert_problem(api.get(raw_url, params={"versoin": "delivered"}), 400)
    assert "versoin" in problem["errors"]
    with httpx.Client(base_url=sandbox.extra["listen_url"]) as ui:
        assert_problem(ui.get(f"/ui/emails/{sent.json()['id']}/raw", params={"version": "sent"}), 400)


def test_the_openapi_document_declares_the_version_parameter(api):
    document = api.get("/api/v1/openapi.json").json()
    operation = document["paths"]["/api/v1/emails/{email_id}/raw/"]["get"]
    [parameter] = [p for p in operation["parameters"] if p["name"] == "version"]
    assert parameter["in"] == "query" and parameter["schema"]["enum"] == ["received", "delivered"]


def test_the_ui_downloads_either_version(sandbox, api, unique):
    to = f"ui-{unique}@example.com"
    raw = _tracked_smtp_message(to)
    _send(sandbox, to, raw)
    email = _only(api, to)
    with httpx.Client(base_url=sandbox.extra["listen_url"]) as ui:
        received = ui.get(f"/ui/emails/{email['id']}/raw")
        delivered = ui.get(f"/ui/emails/{email['id']}/raw", params={"version": "delivered"})
        page = ui.get(f"/emails/{email['id']}")
    assert received.content == raw and f'filename="{email["id"]}.eml"' in received.headers["content-disposition"]
    assert delivered.content == api.get(email["delivered_raw_url"]).content
    assert f'filename="{email["id"]}-delivered.eml"' in delivered.headers["content-disposition"]
    assert 'data-source-version="delivered"' in page.text and "/t/open/" in page.text  # the delivered source
