"""DKIM signing: mail from a verified sending domain leaves the sandbox signed (the delivered
and the relayed versions), an independent verifier (dkimpy, and a real SMTP server behind
--relay) accepts the signature against the key published in the sandbox's zone, and the
received bytes stay exactly as sent."""
from __future__ import annotations

import dkim
import pytest
from domain_helpers import (
    DOMAINS,
    ZONE,
    add_domain,
    delivered_source,
    publish,
    verified_domain,
    zone_dnsfunc,
)
from helpers import smtp_send, wait_until

SMTP_RAW = (b"From: Ana <ana@{domain}>\r\nTo: bob@example.net\r\nSubject: Signed over SMTP\r\n"
            b"Date: Mon, 05 Jan 2026 10:00:00 +0000\r\nMessage-ID: <signed-1@{domain}>\r\n"
            b"X-Gclap-Track-Clicks: yes\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
            b"<p>Hello <a href=\"https://shop.example/sale\">sale</a></p>\r\n.dot line\r\n")


def send(api, sender: str, **fields) -> dict:
    body = {"to": "bob@example.net", "subject": "Signed", "text": "Hello", "from_email": sender, **fields}
    response = api.post("/api/v1/emails/send/", json=body)
    assert response.status_code == 202, response.text
    return response.json()


def signatures(message: bytes) -> list[dict[bytes, bytes]]:
    headers, _ = dkim.rfc822_parse(message)
    return [dkim.util.parse_tag_value(value) for name, value in headers if name.lower() == b"dkim-signature"]


def test_mail_from_a_verified_domain_is_delivered_signed_and_dkimpy_verifies_it(api, unique):
    domain = verified_domain(api, f"{unique}.example.com")
    sent = send(api, f"Shop <news@{domain['domain']}>", html='<a href="https://shop.example/">Shop</a>',
                category="marketing", track_clicks=True, track_opens=True)
    delivered = delivered_source(api, sent["id"])
    (signature,) = signatures(delivered)
    assert signature[b"d"].decode() == domain["domain"] and signature[b"s"].decode() == domain["dkim_selector"]
    assert signature[b"a"] == b"rsa-sha256"
    signed = b"".join(signature[b"h"].split()).decode().split(":")  # h= may be folded
    assert {"from", "to", "subject", "date", "message-id", "list-unsubscribe", "list-unsubscribe-post"} <= set(signed)
    assert dkim.verify(delivered, dnsfunc=zone_dnsfunc(api))
    assert delivered_source(api, sent["id"]) == delivered  # the same bytes every time it is read
    tampered = delivered.replace(b"Subject: Signed", b"Subject: Changed")
    assert not dkim.verify(tampered, dnsfunc=zone_dnsfunc(api))


def test_the_received_bytes_stay_untouched_while_the_delivered_version_is_signed(api, sandbox, unique):
    domain = verified_domain(api, f"{unique}.example.com")
    raw = SMTP_RAW.replace(b"{domain}", domain["domain"].encode())
    smtp_send(sandbox, raw, f"ana@{domain['domain']}", ["bob@example.net"])
    email = wait_until(lambda: api.get("/api/v1/emails/", params={"from": f"ana@{domain['domain']}"}).json()["results"],
                       "the email over SMTP")[0]
    assert api.get(f"/api/v1/emails/{email['id']}/raw/").content == raw
    delivered = delivered_source(api, email["id"])
    assert b"/t/click/" in delivered and b"X-Gclap-Track-Clicks" not in delivered
    assert dkim.verify(delivered, dnsfunc=zone_dnsfunc(api))


def test_a_subdomain_sender_is_signed_by_its_verified_parent(api, unique):
    domain = verified_domain(api, f"{unique}.example.com")
    delivered = delivered_source(api, send(api, f"alerts@eu.mail.{domain['domain']}")["id"])
    assert signatures(delivered)[0][b"d"].decode() == domain["domain"]
    assert dkim.verify(delivered, dnsfunc=zone_dnsfunc(api))


@pytest.mark.parametrize("state", ["other domain", "never verified", "verification failed", "deleted"])
def test_mail_is_not_signed_unless_its_domain_is_verified(api, unique, state):
    name = f"{unique}.example.com"
    if state == "other domain":
        verified_domain(api, name)
        name = f"{unique}.example.org"
    elif state == "never verified":
        publish(api, add_domain(api, name))
    elif state == "verification failed":
        domain = verified_domain(api, name)
        api.delete(ZONE, params={"name": name})
        assert api.post(f"{DOMAINS}{domain['id']}/verify/").json()["status"] == "failed"
    else:
        domain = verified_domain(api, name)
        assert api.delete(f"{DOMAINS}{domain['id']}/").status_code == 204
    delivered = delivered_source(api, send(api, f"app@{name}")["id"])
    assert signatures(delivered) == []


def test_mail_already_in_the_inbox_is_signed_once_its_domain_is_verified(api, unique):
    """The delivered version is what a recipient would get now: signing follows the domain."""
    domain = add_domain(api, f"{unique}.example.com")
    sent = send(api, f"app@{domain['domain']}")
    assert signatures(delivered_source(api, sent["id"])) == []
    publish(api, domain)
    api.post(f"{DOMAINS}{domain['id']}/verify/")
    assert dkim.verify(delivered_source(api, sent["id"]), dnsfunc=zone_dnsfunc(api))


def test_a_real_smtp_server_behind_the_relay_receives_mail_whose_signature_verifies(launch, smtp_sink, unique):
    sandbox = launch("--relay", smtp_sink.url)
    with sandbox.client() as api:
        domain = verified_domain(api, f"{unique}.example.com")
        raw = SMTP_RAW.replace(b"{domain}", domain["domain"].encode())
        smtp_send(sandbox, raw, f"ana@{domain['domain']}", ["bob@example.net"])
        send(api, f"Shop <news@{domain['domain']}>", category="marketing", html="<p>Hi</p>")
        received = smtp_sink.wait_for(2)
        dnsfunc = zone_dnsfunc(api)
    for message in received:
        (signature,) = signatures(message.data)
        assert signature[b"d"].decode() == domain["domain"]
        assert dkim.verify(message.data, dnsfunc=dnsfunc), message.data[:600]
    relayed_smtp = next(m.data for m in received if b"Signed over SMTP" in m.data)
    assert b"/t/click/" not in relayed_smtp and b"X-Gclap-Track-Clicks" not in relayed_smtp
    assert relayed_smtp.endswith(raw.split(b"\r\n\r\n", 1)[1])  # the body exactly as sent
