"""The inbox search language, as a user types it."""
from __future__ import annotations

from gclap_sandbox.inbox.search import SearchQuery, Term, parse_search


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


def test_an_unclosed_quote_is_reported_not_applied():
    query = parse_search('subject:"order 42 is:unread')
    assert query.terms == ()
    assert query.errors == ('The quote in subject:"order 42 is:unread is not closed: add the closing ".',)


def test_a_field_without_a_value_is_reported():
    for text in ("from:", "from: ana", 'subject:""', "-tag:"):
        query = parse_search(text)
        assert len(query.errors) == 1 and "needs a value right after the colon" in query.errors[0], text
    assert terms("from: ana") == [("text", "ana", False)]


def test_status_takes_only_known_statuses():
    assert terms("status:Bounced -status:sent") == [("status", "bounced", False), ("status", "sent", True)]
    assert parse_search("status:lost").errors[0].startswith("Unknown status:lost (try status:sent,")


def test_a_search_over_the_limit_is_refused_whole():
    query = parse_search("a " * 300)
    assert query.terms == () and "the limit is 500" in query.errors[0]


def test_input_with_nothing_to_look_for_is_reported():
    assert parse_search("-").errors == ("Nothing to search for in -.",)


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
    assert parse_search("") == parse_search("   ") == parse_search(None) == SearchQuery()
