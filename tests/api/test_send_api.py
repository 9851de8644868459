"""POST /api/v1/emails/send/: the seed's quick start, every accepted field, and bad input."""
from __future__ import annotations

import base64
import email
import uuid
from email import policy

import pytest
from helpers import assert_problem, emails_to, total_count


def test_seed_quick_start_unchanged_except_for_url_and_key(sandbox, unique):
    import httpx as requests  # the seed uses `requests`; httpx.post has the same call shape

    response = requests.post(
        f"{sandbox.http_url}/api/v1/emails/send/",
        headers={
            'Authorization': f'Bearer {sandbox.api_key}',
            'Content-Type': 'application/json'
        },
        json={
            'to': f'user-{unique}@example.com',
            'subject': 'Welcome to Gclap!',
            'html': '<h1>Hello!</h1><p>Thanks for joining.</p>',
            'from_email': 'hello@yourdomain.com'
        }
    )
    assert response.status_code == 202
    body = response.json()
    uuid.UUID(body["id"])
    assert body["status"] == "sent"
    assert body["message_id"].startswith("<") and body["message_id"].endswith(">")
    assert body["to"] == [f"user-{unique}@example.com"]
    assert body["subject"] == "Welcome to Gclap!"
    assert body["created_at"].endswith("Z")


def test_every_field_is_captured(api, unique):
    png = b"\x89PNG\r\n\x1a\nfake-image"
    response = api.post("/api/v1/emails/send/", json={
        "to": [f"Ana <ana-{unique}@example.com>", f"bo-{unique}@example.com"],
        "cc": f"cc-{unique}@example.com",
        "bcc": [f"hidden-{unique}@example.com"],
        "reply_to": "support@yourdomain.com",
        "from_email": "Shop <shop@yourdomain.com>",
        "subject": "Ünïcode receipt ✓",
        "text": "Plain body",
        "html": '<p>HTML body <img src="cid:logo"></p>',
        "headers": {"X-Campaign": "spring"},
        "tags": ["receipt", unique],
        "metadata": {"order": 42},
        "attachments": [
            {"filename": "receipt.pdf", "content": base64.b64encode(b"%PDF-1.4 fake").decode(),
             "content_type": "application/pdf"},
            {"filename": "logo.png", "content": base64.b64encode(png).decode(),
             "content_type": "image/png", "content_id": "logo"},
        ],
    })
    assert response.status_code == 202, response.text
    email_id = response.json()["id"]
    detail = api.get(f"/api/v1/emails/{email_id}/").json()
    assert detail["subject"] == "Ünïcode receipt ✓"
    assert detail["from_email"] == "shop@yourdomain.com" and detail["from_name"] == "Shop"
    assert detail["text"].strip() == "Plain body"
    assert 'cid:logo' in detail["html"]
    assert detail["tags"] == ["receipt", unique] and detail["metadata"] == {"order": 42}
    kinds = {r["email"]: r["kind"] for r in detail["recipients"]}
    assert kinds == {f"ana-{unique}@example.com": "to", f"bo-{unique}@example.com": "to",
                     f"cc-{unique}@example.com": "cc", f"hidden-{unique}@example.com": "bcc"}
    headers = {h["name"].lower(): h["value"] for h in detail["headers"]}
    assert headers["x-campaign"] == "spring"
    assert headers["reply-to"] == "support@yourdomain.com"
    assert "bcc" not in headers  # Bcc never appears in the message itself
    by_name = {a["filename"]: a for a in detail["attachments"]}
    assert by_name["receipt.pdf"]["inline"] is False
    assert by_name["logo.png"]["inline"] is True and by_name["logo.png"]["content_id"] == "logo"
    assert detail["attachment_count"] == 1  # inline images are not counted as attachments
    download = api.get(by_name["logo.png"]["download_url"])
    assert download.status_code == 200 and download.content == png
    raw = api.get(f"/api/v1/emails/{email_id}/raw/")
    assert raw.headers["content-type"].startswith("message/rfc822")
    parsed = email.message_from_bytes(raw.content, policy=policy.default)
    assert parsed["Subject"] == "Ünïcode receipt ✓"
    assert parsed["Message-ID"] == detail["message_id"]


def test_text_only_and_single_recipient_string(api, unique):
    response = api.post("/api/v1/emails/send/", json={
        "to": f"solo-{unique}@example.com", "subject": "Text", "text": "just text"})
    assert response.status_code == 202
    detail = api.get(f"/api/v1/emails/{response.json()['id']}/").json()
    assert detail["html"] is None and detail["text"].strip() == "just text"
    assert detail["from_email"]  # a default sender is filled in


BAD_BODIES = [
    ({"subject": "s", "text": "t"}, ["to"]),
    ({"to": "not-an-address", "subject": "s", "text": "t"}, ["to[0]"]),
    ({"to": ["ok@example.com", "bad@"], "subject": "s", "text": "t"}, ["to[1]"]),
    ({"to": "ok@example.com", "subject": "s"}, ["html", "text"]),
    ({"to": "ok@example.com", "text": "t"}, ["subject"]),
    ({"to": 5, "subject": ["x"], "text": 1, "html": {}}, ["to[0]", "subject", "text", "html"]),
    ({"to": "ok@example.com", "subject": "s", "text": "t", "tags": "one"}, ["tags"]),
    ({"to": "ok@example.com", "subject": "s", "text": "t", "metadata": []}, ["metadata"]),
    ({"to": "ok@example.com", "subject": "s", "text": "t",
      "attachments": [{"filename": "a.txt", "content": "%%%not base64"}]}, ["attachments[0].content"]),
    ({"to": "ok@example.com", "subject": "s", "text": "t",
      "attachments": [{"content": "aGk="}]}, ["attachments[0].filename"]),
    ({"to": "ok@example.com", "subject": "s", "text": "t", "headers": {"Bad Name": "x"}}, ["headers.Bad Name"]),
    ({"to": "ok@example.com", "subject": "s", "text": "t", "headers": {"Subject": "x"}}, ["headers.Subject"]),
    ({"to": "ok@example.com", "subject": "a\r\nBcc: victim@example.com", "text": "t"}, ["subject"]),
    ({"to": "ok@example.com", "subject": "s", "text": "t", "from": "x@example.com"}, ["from"]),
    ({"to": [], "subject": "s", "text": "t"}, ["to"]),
]


@pytest.mark.parametrize("body,fields", BAD_BODIES)
def test_bad_input_names_each_field_and_stores_nothing(api, body, fields):
    before = total_count(api)
    problem = assert_problem(api.post("/api/v1/emails/send/", json=body), 400)
    assert set(fields) <= set(problem["errors"]), problem
    assert total_count(api) == before


@pytest.mark.parametrize("content", [b"", b"{not json", b"[1, 2]", b'"text"', b"\xff\xfe"])
def test_non_object_bodies_are_rejected(api, content):
    before = total_count(api)
    response = api.post("/api/v1/emails/send/", content=content,
                        headers={"Content-Type": "application/json"})
    assert_problem(response, 400)
    assert total_count(api) == before


def test_oversize_message_is_rejected_and_not_stored(launch):
    small = launch("--max-message-size", "4096")
    with small.client() as api:
        body = {"to": "big@example.com", "subject": "big", "text": "t",
                "attachments": [{"filename": "big.bin", "content": base64.b64encode(b"x" * 8000).decode()}]}
        problem = assert_problem(api.post("/api/v1/emails/send/", json=body), 400)
        assert "attachments" in problem["errors"]
        assert "4096" in problem["errors"]["attachments"][0]
        huge = api.post("/api/v1/emails/send/", content=b"x" * (4096 * 4 // 3 + 2 * 1024 * 1024),
                        headers={"Content-Type": "application/json"})
        assert_problem(huge, 413)
        assert total_count(api) == 0
        assert emails_to(api, "big@example.com") == []


HARDENING = [
    ({"to": "a@example.com, c@example.com", "subject": "s", "text": "t"}, "to[0]"),
    ({"to": "ana@exam ple.com", "subject": "s", "text": "t"}, "to[0]"),
    ({"to": "a@example.com", "subject": "s", "text": "t",
      "attachments": [{"filename": "a\r\nb", "content": "aGk="}]}, "attachments[0].filename"),
    ({"to": "a@example.com", "subject": "s", "text": "t",
      "attachments": [{"filename": "a", "content": "aGk=", "content_type": "text/plain\r\nX-Injected: yes"}]},
     "attachments[0].content_type"),
    ({"to": "a@example.com", "subject": "s", "text": "t",
      "attachments": [{"filename": "a", "content": "aGk=", "content_type": "bogus"}]}, "attachments[0].content_type"),
]


@pytest.mark.parametrize("body,field", HARDENING)
def test_lenient_parsing_never_rewrites_or_injects(api, body, field):
    before = total_count(api)
    problem = assert_problem(api.post("/api/v1/emails/send/", json=body), 400)
    assert field in problem["errors"], problem
    assert total_count(api) == before


@pytest.mark.parametrize("raw", [
    b'{"to": "a@example.com", "subject": "s", "text": "t", "metadata": {"n": 1e999}}',
    b'{"to": "a@example.com", "subject": "s", "text": "t", "metadata": {"n": NaN}}',
    b'{"to": "a@example.com", "subject": "s", "text": "\\ud800"}',
    b"[" * 100000,
])
def test_json_that_cannot_be_stored_faithfully_is_refused(api, raw):
    before = total_count(api)
    response = api.post("/api/v1/emails/send/", content=raw, headers={"Content-Type": "application/json"})
    assert_problem(response, 400)
    assert total_count(api) == before
    assert api.get("/api/v1/emails/").status_code == 200
