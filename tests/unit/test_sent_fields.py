"""The send API stores what it knows of the message it wrote without parsing it back
(mail.build_sent): those fields must be exactly what parsing the written bytes reads."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gclap_sandbox.api.emails import SEND_BODY
from gclap_sandbox.errors import ValidationFailed
from gclap_sandbox.mail import message as mail

REQUESTS = {
    "text and html": {"to": ["user@example.com"], "from_email": "bench@example.com", "subject": "Hi",
                      "text": "Hello.", "html": "<p>Hello.</p>"},
    "names, cc and reply-to": {"to": ["Ana Smith <a@x.com>", '"Doe, John" <j@x.com>'], "cc": ["c@x.com"],
                               "reply_to": ["r@x.com"], "subject": "  spaced   out ", "text": "a\rb\nc\r\nd\n"},
    "unicode names and subject": {"to": "Zoë Ünïcode <z@x.com>", "from_email": "Ærø <f@x.com>",
                                  "subject": "Grüße aus Köln ✓", "html": "<p>é</p>"},
    "subject that looks encoded": {"to": "a@x.com", "subject": "=?utf-8?q?looks_encoded?=", "text": "x"},
    "quotes and comments in a name": {"to": 'Ana "the" (x) Smith <a@x.com>', "subject": "s", "text": ""},
    "custom headers": {"to": "a@x.com", "subject": "s", "text": "t",
                       "headers": {"X-Foo": "bar", "List-Unsubscribe": "<mailto:u@x.com>"}},
    "quoted-printable bodies": {"to": "a@x.com", "subject": "s", "text": "é" * 2000 + "\n" + "a" * 1200 + " \t\n",
                                "html": "<b>x</b>\r\n"},
    "empty html only": {"to": "a@x.com", "subject": "s", "html": ""},
    "bcc only in the envelope": {"to": "a@x.com", "bcc": ["b@x.com"], "subject": "s", "text": "t"},
}


@pytest.mark.parametrize("request_body", REQUESTS.values(), ids=REQUESTS.keys())
def test_fields_known_from_the_request_are_what_parsing_the_written_bytes_reads(request_body):
    raw, known = mail.build_sent(SEND_BODY.validate(request_body), "<id@test>")
    assert known is not None
    assert known == mail.parse_message(raw)[1]


@pytest.mark.parametrize("request_body", [
    {"to": "a@x.com", "subject": "x" * 990, "text": "a long subject is folded"},
    {"to": "a@x.com", "subject": "Ünï" * 100, "text": "a long unicode subject is folded"},
    {"to": "a@x.com", "subject": "s", "text": "t",
     "attachments": [{"filename": "a.txt", "content": "aGVsbG8=", "content_type": "text/plain"}]},
], ids=["folded subject", "folded encoded subject", "attachment"])
def test_messages_with_folded_headers_or_attachments_are_left_to_the_parser(request_body):
    raw, known = mail.build_sent(SEND_BODY.validate(request_body), "<id@test>")
    assert known is None
    assert mail.parse_message(raw)[1].defects == []


_line = st.text(st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")), max_size=60)
_name = st.text(st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp"), blacklist_characters="<>"),
                max_size=20)


@settings(max_examples=150, deadline=None, database=None)
@given(subject=_line, name=_name, text=st.one_of(st.none(), st.text(max_size=200)),
       html=st.one_of(st.none(), st.text(max_size=200)))
def test_any_subject_name_and_bodies_read_the_same_either_way(subject, name, text, html):
    body = {"to": [f'"{name}" <a@x.com>' if name else "a@x.com"], "subject": subject,
            "text": text, "html": html}
    if text is None and html is None:
        body["text"] = ""
    try:
        data = SEND_BODY.validate({key: value for key, value in body.items() if value is not None})
    except ValidationFailed:  # what the API refuses is never written
        return
    raw, known = mail.build_sent(data, "<id@test>")
    if known is not None:
        assert known == mail.parse_message(raw)[1]
