"""The search language's operators on real captured mail (API and SMTP), over HTTP: the body,
cc:, bcc:, reply-to:, message-id:, larger:/smaller:, and mistakes answered with a clear problem."""
from __future__ import annotations

import base64

import httpx
import pytest
from helpers import assert_problem, smtp_send


def found(api: httpx.Client, search: str) -> list[str]:
    """Subjects of the emails `search` finds, oldest first."""
    response = api.get("/api/v1/emails/", params={"search": search, "page_size": 100})
    assert response.status_code == 200, response.text
    return [e["subject"] for e in response.json()["results"]][::-1]


def send(api: httpx.Client, **fields) -> dict:
    """Send through the API; a field given as None is left out (`text=None`: an HTML-only email)."""
    body = {"to": "someone@example.com", "text": "Hello.", **fields}
    response = api.post("/api/v1/emails/send/", json={k: v for k, v in body.items() if v is not None})
    assert response.status_code == 202, response.text
    return response.json()


def test_body_words_are_found_from_their_start_in_text_and_html_bodies(api, unique):
    send(api, subject=f"text {unique}", text=f"Your invoices for March are ready, {unique}.")
    send(api, subject=f"html {unique}", text=None,
         html=f"<table class='wrapper'><tr><td>Password r&eacute;set for {unique}</td></tr></table>")
    assert found(api, f"body:invoice {unique}") == [f"text {unique}"]
    assert found(api, f"invo {unique}") == [f"text {unique}"]  # free text reads the body too
    assert found(api, f'body:"march are" {unique}') == [f"text {unique}"]
    assert found(api, f"body:reset {unique}") == [f"html {unique}"]  # entities decoded, accents folded
    assert found(api, f"body:wrapper {unique}") == []  # the markup is not the text
    assert found(api, f"body:voices {unique}") == []  # a body word matches from its start


def test_cc_bcc_and_reply_to_look_only_at_their_own_header(api, unique):
    send(api, subject=f"cc {unique}", cc=[f"Ops Team <ops-{unique}@example.com>"])
    send(api, subject=f"bcc {unique}", bcc=[f"audit-{unique}@example.com"])
    send(api, subject=f"reply {unique}", reply_to=f"help-{unique}@example.com")
    send(api, subject=f"to {unique}", to=[f"ops-{unique}@example.com"])
    assert found(api, f"cc:ops-{unique}") == [f"cc {unique}"]
    assert found(api, f'cc:"ops team" {unique}') == [f"cc {unique}"]
    assert found(api, f"bcc:audit-{unique}") == [f"bcc {unique}"]
    assert found(api, f"reply-to:help-{unique}") == [f"reply {unique}"]
    assert found(api, f"to:ops-{unique}") == [f"cc {unique}", f"to {unique}"]  # to: is any recipient
    assert found(api, f"-cc:ops-{unique} {unique}") == [f"bcc {unique}", f"reply {unique}", f"to {unique}"]


def test_bcc_of_smtp_mail_is_the_envelope_recipient_missing_from_the_headers(sandbox, api, unique):
    message = f"From: a@example.com\r\nTo: b@example.com\r\nSubject: smtp {unique}\r\n\r\nhi\r\n".encode()
    smtp_send(sandbox, message, "a@example.com", ["b@example.com", f"hidden-{unique}@example.com"])
    assert found(api, f"bcc:hidden-{unique}") == [f"smtp {unique}"]


def test_message_id_finds_the_email_with_or_without_angle_brackets(api, unique):
    email = send(api, subject=f"mid {unique}")
    message_id = email["message_id"]
    assert found(api, f"message-id:{message_id}") == [f"mid {unique}"]
    assert found(api, f"message-id:{message_id.strip('<>')}") == [f"mid {unique}"]
    assert found(api, f"message-id:{message_id.strip('<>').split('@')[0][:12]} {unique}") == [f"mid {unique}"]


def test_larger_and_smaller_compare_the_message_size(api, unique):
    big = send(api, subject=f"big {unique}", attachments=[
        {"filename": "a.bin", "content": base64.b64encode(b"x" * 30_000).decode()}])
    small = send(api, subject=f"small {unique}")
    assert big["size"] > 30_000 > small["size"]
    assert found(api, f"larger:20k {unique}") == [f"big {unique}"]
    assert found(api, f"smaller:20K {unique}") == [f"small {unique}"]
    assert found(api, f"larger:{small['size'] - 1} smaller:{small['size'] + 1} {unique}") == [f"small {unique}"]
    assert found(api, f"larger:0.01MB smaller:1mb {unique}") == [f"big {unique}"]
    assert found(api, f"-larger:20k {unique}") == [f"small {unique}"]


def test_a_just_captured_email_is_found_at_once_and_a_deleted_one_never(api, unique):
    email = send(api, subject=f"fresh {unique}", text=f"zebra{unique} crossing")
    assert found(api, f"body:zebra{unique}") == [f"fresh {unique}"]
    assert api.delete(f"/api/v1/emails/{email['id']}/").status_code == 204
    assert found(api, f"body:zebra{unique}") == []
    assert found(api, f"-body:zebra{unique} {unique}") == []


@pytest.mark.parametrize("search, says", [
    ("larger:big", "larger:big is not a size"),
    ("smaller:-5", "smaller:-5 is not a size"),
    ("larger:5TB", "larger:5TB is not a size"),
    ("cc:", "cc: needs a value"),
    ("reply-to:", "reply-to: needs a value"),
    ("message-id:", "message-id: needs a value"),
    ("body:...", "body:... has no letter or digit"),
    ('body:"unclosed', "is not closed"),
    ("before:soon", "before:soon is not a date"),
    ("x " * 40, "the limit is 32"),
])
def test_a_bad_search_is_a_problem_naming_search_and_deletes_nothing(api, unique, search, says):
    send(api, subject=f"keep {unique}")
    problem = assert_problem(api.get("/api/v1/emails/", params={"search": search}), 400)
    assert any(says in message for message in problem["errors"]["search"]), problem
    problem = assert_problem(api.delete("/api/v1/emails/", params={"search": search}), 400)
    assert any(says in message for message in problem["errors"]["search"]), problem
    assert found(api, unique) == [f"keep {unique}"]


def test_the_inbox_reports_a_bad_search_instead_of_failing(sandbox):
    with httpx.Client(base_url=sandbox.http_url, timeout=30) as ui:
        page = ui.get("/", params={"q": "larger:huge cc:"})
    assert page.status_code == 200
    assert "larger:huge is not a size" in page.text and "cc: needs a value" in page.text
