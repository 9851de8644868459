"""The inbox search language, as a user types it."""
from __future__ import annotations

from gclap_sandbox.inbox.search import Term, parse_search


def terms(text: str) -> list[tuple[str, str, bool]]:
    return [(t.field, t.value, t.negated) for t in parse_search(text).terms]


def test_free_text_words_are_lower_cased_terms():
    assert terms("Invoice  March") == [("text", "invoice", False), ("text", "march", False)]


def test_field_prefixes():
    assert terms("to:Ana@Example.com from:billing subject:order tag:welcome status:bounced") == [
        ("to", "ana@example.com", False), ("from", "billing", False), ("subject", "order", False),
        ("tag", "welcome", False), ("status", "bounced", False)]


def test_quoted_values_keep_spaces():
    assert terms('subject:"order 42" "two words"') == [("subject", "order 42", False), ("text", "two words", False)]


def test_unterminated_quote_takes_the_rest():
    assert terms('subject:"order 42') == [("subject", "order 42", False)]


def test_flags():
    assert terms("is:unread is:READ has:attachment") == [
        ("is", "unread", False), ("is", "read", False), ("has", "attachment", False)]


def test_negation():
    assert terms("-tag:test -spam") == [("tag", "test", True), ("text", "spam", True)]


def test_dates_become_utc_instants():
    query = parse_search("after:2026-01-01 before:2026-02-01T12:00:00+02:00")
    assert [t.field for t in query.terms] == ["after", "before"]
    assert query.terms[0].value == "2026-01-01T00:00:00+00:00"
    assert query.terms[1].value == "2026-02-01T10:00:00+00:00"


def test_bad_values_are_reported_not_applied():
    query = parse_search("is:maybe has:wings before:yesterday hello")
    assert query.terms == (Term("text", "hello"),)
    assert len(query.errors) == 3
    assert "is:maybe" in query.errors[0] and "before:yesterday" in query.errors[2]


def test_unknown_prefix_and_urls_are_free_text():
    assert terms("note:x https://a.example/b") == [("text", "note:x", False), ("text", "https://a.example/b", False)]


def test_empty_input():
    assert parse_search("").empty and parse_search("   ").empty and parse_search('subject:""').empty
