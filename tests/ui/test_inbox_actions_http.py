"""The inbox's server-side rules over plain HTTP: search negation, the bulk actions' scope
(a search's matches, or the whole inbox only when asked), and Release's confirmation."""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from typing import Iterator

import httpx
import pytest
from helpers import assert_problem, simple_message, smtp_send, wait_until
from ui_helpers import csrf_token, rich_email, send_api

from gclap_sandbox.inbox.search import FIELDS


def matches(ui: httpx.Client, q: str) -> int:
    """How many emails the inbox says match `q` (every page)."""
    page = ui.get("/", params={"q": q})
    assert page.status_code == 200
    assert 'role="alert"' not in page.text, f"{q!r} was reported as a bad search"
    return int(re.search(r'data-total-count="(\d+)"', page.text).group(1))


def bulk(ui: httpx.Client, method: str, body: object = None) -> httpx.Response:
    path = "/ui/api/emails" if method == "DELETE" else "/ui/api/emails/read"
    extra = {} if body is None else {"json": body}
    return ui.request(method, path, headers={"X-CSRF-Token": csrf_token(ui)}, **extra)


# --- negation: count(q) + count(-q) == total, for every field ------------------------------

TODAY = datetime.now(timezone.utc).date()
# At least one term per field of the language, chosen so that the seeded mail has NULL and
# empty columns on both sides (a sender without a display name, no sender, no subject, no tag).
NEGATION_SAMPLES = [
    ("text", "news"), ("text", "plain"),
    ("to", "ana"), ("to", "ana@example.com"), ("to", "zzz"),
    ("from", "zzz"), ("from", "news"), ("from", "plain@"),
    ("subject", "news"), ("subject", "zzz"),
    ("tag", "newsletter"), ("tag", "zzz"),
    ("status", "bounced"), ("status", "sent"),
    ("is", "read"), ("is", "unread"),
    ("has", "attachment"),
    ("before", (TODAY + timedelta(days=1)).isoformat()), ("before", "2000-01-01"),
    ("after", TODAY.isoformat()), ("after", "2999-01-01"),
    ("cc", "ana"), ("cc", "zzz"), ("bcc", "hidden"), ("bcc", "zzz"),
    ("reply-to", "ex.com"), ("reply-to", "zzz"), ("message-id", "@"), ("message-id", "zzz"),
    ("body", "body"), ("body", "zzz"), ("larger", "1k"), ("larger", "10M"), ("smaller", "300"),
]


@pytest.fixture(scope="module")
def varied_inbox(own_sandbox) -> Iterator[tuple[httpx.Client, int]]:
    """Mail of every shape, in a sandbox of the module's own: (UI client, total)."""
    box = own_sandbox
    with box.client() as api, httpx.Client(base_url=box.http_url, timeout=30) as ui:
        send_api(api, subject="news 1", from_email="News <news@ex.com>", to=["Ana Lima <ana@example.com>"],
                 tags=["newsletter"])
        send_api(api, subject="news 2", from_email="news@ex.com", to=["bo@example.com"], tags=["newsletter", "x"])
        rich_email(api, "receipt")
        bounced = send_api(api, subject="", text="no subject", to=["cy@example.com"])
        api.post(f"/api/v1/emails/{bounced['id']}/simulate/", json={"event": "bounced"}).raise_for_status()
        smtp_send(box, simple_message("plain sender", sender="plain@ex.com"), "plain@ex.com", ["dev@example.com"])
        smtp_send(box, b"Subject: no from header\r\n\r\nbody\r\n", "", ["ana@example.com"])
        smtp_send(box, b"From: <>\r\nTo: undisclosed-recipients:;\r\n\r\nno subject, bcc only\r\n",
                  "bounce@ex.com", ["hidden@example.com"])
        read = send_api(api, subject="already read")
        assert bulk(ui, "POST", {"ids": [read["id"]]}).json()["changed"] == 1
        # Settled, so that no email arrives or moves on between a term's query and its negation's:
        # the bounce's report is in (it stays `sent`), every other email delivered or bounced.
        wait_until(lambda: api.get("/api/v1/emails/", params={"status": "sent", "page_size": 1}).json()["count"] == 1,
                   "the bounce report, and every other email delivered or bounced")
        total = api.get("/api/v1/emails/", params={"page_size": 1}).json()["count"]
        yield ui, total


def test_the_negation_samples_cover_every_field_of_the_search_language():
    assert {name for name, _ in NEGATION_SAMPLES} == {"text", *FIELDS}


@pytest.mark.parametrize("field, value", NEGATION_SAMPLES, ids=[f"{f}:{v}" for f, v in NEGATION_SAMPLES])
def test_a_negated_term_matches_exactly_the_emails_the_term_does_not(varied_inbox, field, value):
    ui, total = varied_inbox
    term = value if field == "text" else f"{field}:{value}"
    assert matches(ui, term) + matches(ui, f"-{term}") == total


def test_minus_from_keeps_senders_without_a_display_name(varied_inbox):
    ui, total = varied_inbox
    assert matches(ui, "-from:zzz") == total
    assert matches(ui, "-from:news") == total - 2


# --- bulk actions: the search's matches, every page, and nothing else ------------------------

@pytest.fixture
def ui(sandbox) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=sandbox.http_url, timeout=30) as client:
        yield client


def test_delete_on_a_search_removes_every_page_of_matches_and_nothing_else(api, ui, unique):
    for n in range(55):  # more than one page (50 rows)
        send_api(api, subject=f"nl {n}", tags=[f"nl-{unique}"])
    keep = send_api(api, subject=f"keep {unique}")
    response = bulk(ui, "DELETE", {"q": f"tag:nl-{unique}", "expected": 55})
    assert response.status_code == 200, response.text
    assert response.json()["deleted"] == 55
    assert matches(ui, f"tag:nl-{unique}") == 0
    assert api.get(f"/api/v1/emails/{keep['id']}/").status_code == 200


def test_mark_read_on_a_search_changes_only_the_matches(api, ui, unique):
    hits = [send_api(api, subject=f"hit {n} {unique}", tags=[f"t-{unique}"]) for n in range(3)]
    other = send_api(api, subject=f"other {unique}")
    response = bulk(ui, "POST", {"q": f"tag:t-{unique}", "expected": 3})
    assert response.status_code == 200 and response.json()["changed"] == 3
    assert all(api.get(f"/api/v1/emails/{e['id']}/").json()["is_read"] for e in hits)
    assert api.get(f"/api/v1/emails/{other['id']}/").json()["is_read"] is False
    unread = bulk(ui, "POST", {"q": f"tag:t-{unique} subject:\"hit 1\"", "read": False})
    assert unread.json()["changed"] == 1


@pytest.mark.parametrize("method", ["DELETE", "POST"])
@pytest.mark.parametrize("body", [
    None, {}, {"q": ""}, {"q": "   "}, {"q": "from:"}, {"q": 'subject:"open'}, {"q": "-"},
    {"q": "has:wings"}, {"q": "x " * 300}, {"all": False}, {"q": "tag:a", "all": True}, {"q": None},
], ids=lambda body: repr(body)[:30])
def test_a_missing_blank_or_faulty_search_never_widens_a_bulk_action(api, ui, unique, method, body):
    email = send_api(api, subject=f"survivor {unique}")
    problem = assert_problem(bulk(ui, method, body), 400)
    if body:
        assert problem["errors"], problem
    after = api.get(f"/api/v1/emails/{email['id']}/")
    assert after.status_code == 200 and after.json()["is_read"] is False


def test_a_bulk_action_is_refused_when_the_count_changed_since_the_confirmation(api, ui, unique):
    for n in range(3):
        send_api(api, subject=f"c{n}", tags=[f"c-{unique}"])
    problem = assert_problem(bulk(ui, "DELETE", {"q": f"tag:c-{unique}", "expected": 2}), 409)
    assert problem["count"] == 3 and "now 3 emails matching" in problem["detail"]
    problem = assert_problem(bulk(ui, "POST", {"q": f"tag:c-{unique}", "expected": 2}), 409)
    assert problem["count"] == 3 and "Nothing was marked read" in problem["detail"]
    assert matches(ui, f"tag:c-{unique} is:unread") == 3


def test_the_whole_inbox_takes_an_explicit_all(launch):
    box = launch()
    with box.client() as api, httpx.Client(base_url=box.http_url, timeout=30) as ui:
        for n in range(3):
            send_api(api, subject=f"x{n}")
        assert_problem(bulk(ui, "DELETE", {"all": True, "expected": 2}), 409)
        assert bulk(ui, "POST", {"all": True, "expected": 3}).json() == {"changed": 3, "unread": 0}
        assert bulk(ui, "DELETE", {"all": True, "expected": 3}).json() == {"deleted": 3, "unread": 0}


def test_on_a_search_the_header_counts_unread_mail_of_the_whole_inbox(launch):
    box = launch()
    with box.client() as api, httpx.Client(base_url=box.http_url, timeout=30) as ui:
        send_api(api, subject="one", tags=["newsletter"])
        for n in range(4):
            send_api(api, subject=f"other {n}")
        page = ui.get("/", params={"q": "tag:newsletter"}).text
        assert re.search(r"<span data-total>1</span> <span data-total-noun>email matches</span> · "
                         r"<span data-unread>5</span> unread in the inbox", page), page
        assert ">Mark results read<" in page and ">Delete results<" in page
        inbox = ui.get("/").text
        assert "<span data-unread>5</span> unread</p>" in inbox and ">Delete all<" in inbox


# --- Release: the plan is shown first, the send names the upstream confirmed ------------------

def test_release_plan_names_the_upstream_and_recipients_and_sends_nothing(launch, smtp_sink):
    box = launch("--relay", smtp_sink.url, "--relay-mode", "manual", "--relay-deny", "*@blocked.example")
    with box.client() as api, httpx.Client(base_url=box.http_url, timeout=30) as ui:
        email = send_api(api, subject="plan", to=["dev@example.com", "x@blocked.example"])
        plan = ui.post(f"/ui/api/emails/{email['id']}/release/plan", headers={"X-CSRF-Token": csrf_token(ui)})
        assert plan.status_code == 200, plan.text
        assert plan.json() == {"upstream": smtp_sink.url, "host": "127.0.0.1", "recipients": ["dev@example.com"],
                               "skipped": ["x@blocked.example"]}
        other = ui.post(f"/ui/api/emails/{email['id']}/release/plan", json={"to": ["Qa <QA@example.com>"]},
                        headers={"X-CSRF-Token": csrf_token(ui)})
        assert other.json()["recipients"] == ["qa@example.com"]
        assert smtp_sink.handler.messages == []


def test_release_from_the_ui_needs_the_upstream_the_user_confirmed(launch, smtp_sink):
    box = launch("--relay", smtp_sink.url, "--relay-mode", "manual")
    with box.client() as api, httpx.Client(base_url=box.http_url, timeout=30) as ui:
        email = send_api(api, subject="confirm me", to=["dev@example.com"])
        url = f"/ui/api/emails/{email['id']}/release"
        missing = assert_problem(ui.post(url, json={}, headers={"X-CSRF-Token": csrf_token(ui)}), 400)
        assert "confirm_upstream" in missing["errors"]
        assert_problem(ui.post(url, headers={"X-CSRF-Token": csrf_token(ui)}), 400)
        wrong = assert_problem(ui.post(url, json={"confirm_upstream": "smtp://elsewhere.example:25"},
                                       headers={"X-CSRF-Token": csrf_token(ui)}), 409)
        assert wrong["upstream"] == smtp_sink.url and "nothing was sent" in wrong["detail"]
        assert smtp_sink.handler.messages == []
        assert api.get(f"/api/v1/emails/{email['id']}/").json()["relay"] is None
        sent = ui.post(url, json={"confirm_upstream": smtp_sink.url}, headers={"X-CSRF-Token": csrf_token(ui)})
        assert sent.status_code == 200 and sent.json()["status"] == "relayed"
        assert smtp_sink.wait_for(1)[0].rcpt_tos == ["dev@example.com"]
