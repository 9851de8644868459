"""A parsed search (search.py) as SQL on Email: the one place both the inbox and the API match mail.

Text terms go through the full-text index (storage/fulltext.py, the engine-specific part);
tags, flags, dates and sizes are plain columns. Every condition is written on the email's
rowid or on narrow columns where it can, so counting the matches of 100,000 emails reads
indexes, not rows.
"""
from __future__ import annotations

import re
from datetime import datetime

import peewee

from gclap_sandbox.inbox.search import SearchQuery, Term
from gclap_sandbox.models import Email
from gclap_sandbox.storage import fulltext

_FULL_ADDRESS = re.compile(r"^[^@\s]+@[^@\s]+\.[a-z0-9-]{2,}$")
# Which indexed columns each text field looks in.
_COLUMNS = {"from": ("sender",), "to": ("recipients",), "cc": ("cc",), "bcc": ("bcc",),
            "reply-to": ("reply_to",), "message-id": ("message_id",), "subject": ("subject",)}
_FREE_TEXT_COLUMNS = ("sender", "recipients", "subject")
_INDEXED = {"text", "body", *_COLUMNS}


def condition(term: Term) -> peewee.Expression:
    """One search term as a SQL condition on Email that is never NULL, so `~` is its exact complement."""
    if term.field == "text":
        found = fulltext.contains(_FREE_TEXT_COLUMNS, term.value)
        return found | fulltext.has_words(term.value) if fulltext.words(term.value) else found
    if term.field == "body":
        return fulltext.has_words(term.value)
    if term.field == "to" and _FULL_ADDRESS.match(term.value):  # a whole address: the index on address
        return fulltext.sent_to(term.value)
    if term.field in _COLUMNS:
        return fulltext.contains(_COLUMNS[term.field], term.value)
    if term.field == "tag":
        return fulltext.tagged(term.value)
    if term.field == "status":
        return Email.status == term.value
    if term.field == "is":
        return Email.is_read == (term.value == "read")
    if term.field == "has":
        return Email.attachment_count > 0
    if term.field == "larger":
        return Email.size > int(term.value)
    if term.field == "smaller":
        return Email.size < int(term.value)
    moment = datetime.fromisoformat(term.value)
    return Email.created_at < moment if term.field == "before" else Email.created_at >= moment


def matching(organization_id: str, search: SearchQuery) -> peewee.ModelSelect:
    """The organization's emails every term of `search` matches (DB thread).

    A search with text terms first indexes the mail not indexed yet, so what was just
    captured is found."""
    if any(term.field in _INDEXED for term in search.terms):
        fulltext.index_pending(limit=None)
    query = Email.select().where(Email.organization == organization_id)
    for term in search.terms:
        found = condition(term)
        query = query.where(~found if term.negated else found)
    return query
