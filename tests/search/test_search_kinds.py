"""Every kind of search on a large generated inbox finds exactly the emails a plain reading of
the same mail says it should, in the API and in the inbox, negated or not."""
from __future__ import annotations

import re
from datetime import timedelta
from typing import Callable, Iterator

import httpx
import pytest
from generated_inbox import Generated, GeneratedInbox, body_has, generate
from sandbox_process import start_sandbox

EMAILS = 3000


@pytest.fixture(scope="module")
def large_inbox(tmp_path_factory) -> Iterator[tuple[httpx.Client, GeneratedInbox]]:
    """3,000 emails written straight into a file (not indexed yet), and a sandbox serving it."""
    path = str(tmp_path_factory.mktemp("search") / "inbox.sqlite3")
    inbox = generate(path, EMAILS)
    box = start_sandbox(db=path)
    try:
        with box.client() as api:
            yield api, inbox
    finally:
        box.stop()


def day(inbox: GeneratedInbox, days: int) -> str:
    return (inbox.start + timedelta(days=days)).date().isoformat()


def _contains(values: Callable[[Generated], list[str]], needle: str) -> Callable[[Generated], bool]:
    return lambda e: any(needle.lower() in v.lower() for v in values(e))


def kinds(inbox: GeneratedInbox) -> list[tuple[str, Callable[[Generated], bool]]]:
    """(search, which generated emails it should match) for every kind of term."""
    rare, common = inbox.words[-1], inbox.words[30]  # in a handful of emails; in about a third
    phrase = " ".join(inbox.emails[100].body.split()[10:12])
    some_id = inbox.emails[1234].message_id.strip("<>")[:13]
    after, before = day(inbox, 20), day(inbox, 30)
    return [
        ("to:user42@example.com", lambda e: "user42@example.com" in e.recipients),
        ("to:user42", _contains(lambda e: e.recipients, "user42")),
        ("to:OPS3@", _contains(lambda e: e.recipients, "ops3@")),
        ("from:app7", _contains(lambda e: [e.sender], "app7")),
        ('from:"App 7 <"', _contains(lambda e: [e.sender], "app 7 <")),
        ("cc:ops3", _contains(lambda e: e.cc, "ops3")),
        ("bcc:audit2", _contains(lambda e: e.bcc, "audit2")),
        ("reply-to:support1", _contains(lambda e: e.reply_to, "support1")),
        (f"message-id:{some_id}", _contains(lambda e: [e.message_id], some_id)),
        ("subject:invoice", _contains(lambda e: [e.subject], "invoice")),
        ("subject:voice", _contains(lambda e: [e.subject], "voice")),
        ("tag:billing", lambda e: "Billing" in e.tags),
        ("invoice", lambda e: "invoice" in e.subject.lower() or body_has(e, "invoice")),
        (rare, lambda e: body_has(e, rare) or any(rare in v.lower() for v in [e.sender, *e.recipients, e.subject])),
        (f"body:{common}", lambda e: body_has(e, common)),
        (f"body:{common[:3]}", lambda e: body_has(e, common[:3])),
        (f'body:"{phrase}"', lambda e: body_has(e, phrase)),
        ("has:attachment", lambda e: e.attachment_count > 0),
        ("is:unread", lambda e: not e.is_read),
        ("status:delivered", lambda e: e.status == "delivered"),
        (f"after:{after} before:{before}", lambda e: after <= e.created_at.date().isoformat() < before),
        ("larger:20k", lambda e: e.size > 20 * 1024),
        ("smaller:1.5k", lambda e: e.size < 1536),
        ("from:app10 -tag:billing has:attachment", lambda e: "app10" in e.sender and "Billing" not in e.tags
         and e.attachment_count > 0),
    ]


def count(api: httpx.Client, search: str) -> int:
    response = api.get("/api/v1/emails/", params={"search": search, "page_size": 50})
    assert response.status_code == 200, response.text
    return response.json()["count"]


def test_the_generated_inbox_has_every_kind_of_match(large_inbox):
    _, inbox = large_inbox
    for search, expected in kinds(inbox):
        assert 0 < sum(map(expected, inbox.emails)) < EMAILS, f"{search} should match some, not all"


def test_each_kind_of_search_finds_exactly_the_expected_emails_newest_first(large_inbox):
    api, inbox = large_inbox
    newest_first = inbox.emails[::-1]
    for search, expected in kinds(inbox):
        wanted = [e.id for e in newest_first if expected(e)]
        page = api.get("/api/v1/emails/", params={"search": search, "page_size": 50}).json()
        assert page["count"] == len(wanted), search
        assert [e["id"] for e in page["results"]] == wanted[:50], search


def test_each_negated_term_finds_exactly_the_other_emails(large_inbox):
    api, inbox = large_inbox
    for search, expected in kinds(inbox):
        if " " in search and not search.startswith(('from:"', 'body:"')):
            continue  # several terms: the negation of each is tested on its own
        assert count(api, f"-{search}") == sum(not expected(e) for e in inbox.emails), search


def test_the_inbox_page_counts_the_same_matches_as_the_api(large_inbox):
    api, inbox = large_inbox
    with httpx.Client(base_url=str(api.base_url).removesuffix("/"), timeout=30) as ui:
        for search, expected in kinds(inbox)[::4]:
            page = ui.get("/", params={"q": search})
            assert page.status_code == 200
            total = int(re.search(r'data-total-count="(\d+)"', page.text).group(1))
            assert total == sum(map(expected, inbox.emails)), search


def test_html_only_bodies_are_searched_without_their_markup(large_inbox):
    api, inbox = large_inbox
    assert count(api, "body:div") == 0 and count(api, "body:class") == 0
    html_only = inbox.emails[7]  # every seventh email has only an HTML body
    word = html_only.body.split()[-1]
    assert html_only.id in [e["id"] for e in api.get("/api/v1/emails/", params={
        "search": f'body:"{word}" to:{html_only.to[0]}'}).json()["results"]]
